# Sourced by the benchmark scripts: makes .venv-reference with the given Python packages (once),
# and the tools the scripts need (/usr/bin/time). Usage: make_reference_venv pandas pyarrow ...
make_reference_venv() {
  command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
  local venv=.venv-reference
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  local modules
  modules=$(printf '%s\n' "$@" | sed 's/==.*//; s/mostlyai-engine/mostlyai.engine/' | paste -sd, -)
  if ! "$venv/bin/python" -c "import ${modules}" 2>/dev/null; then
    echo "Installing $* into $venv (once)"
    "$venv/bin/pip" install -q --disable-pip-version-check "$@"
    # A torchvision wheel built against another torch build than the one installed (e.g. a CPU-only
    # torch) makes `import transformers` fail, and with it the engine; the engine itself never
    # imports torchvision, so it is removed when that happens.
    if ! "$venv/bin/python" -c "import ${modules}" 2>/dev/null; then "$venv/bin/pip" uninstall -q -y torchvision; fi
  fi
}
