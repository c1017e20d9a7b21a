"""Builds the engine binary into the package (``doppel/bin/doppel``).

From a checkout, ``pip install ./python`` runs ``scripts/setup.sh release`` (the Debian libraries
and ``swift build -c release``) and copies ``.build/release/doppel``. ``DOPPEL_PREBUILT_BINARY=PATH``
copies that binary instead (``scripts/build-wheel.sh`` passes its ``--static-swift-stdlib`` build).
The wheel is tagged for this platform: it carries a native program.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools ≥ 70.1
except ImportError:  # pragma: no cover
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent


def engine_binary() -> Path:
    prebuilt = os.environ.get("DOPPEL_PREBUILT_BINARY")
    if prebuilt:
        return Path(prebuilt)
    if not (REPOSITORY / "Package.swift").is_file():
        raise SystemExit("doppel: build from a checkout of the repository (Package.swift not found) "
                         "or set DOPPEL_PREBUILT_BINARY to a built doppel binary")
    subprocess.run([str(REPOSITORY / "scripts" / "setup.sh"), "release"], check=True, cwd=REPOSITORY)
    return REPOSITORY / ".build" / "release" / "doppel"


class BuildWithEngine(build_py):
    def run(self):
        super().run()
        source = engine_binary()
        if not source.is_file():
            raise SystemExit(f"doppel: engine binary not found at {source}")
        target = Path(self.build_lib) / "doppel" / "bin" / "doppel"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        target.chmod(0o755)


commands = {"build_py": BuildWithEngine}
if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            _, _, platform = super().get_tag()
            return "py3", "none", platform

    commands["bdist_wheel"] = PlatformWheel

setup(cmdclass=commands)
