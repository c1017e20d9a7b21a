"""Runs the ``doppel`` engine binary for one pipeline step.

The engine is the Swift command-line program bundled in this package (``doppel/bin/doppel``;
``DOPPEL_BINARY`` overrides it). A step runs as a child process with ``DOPPEL_PROGRESS=json``,
so that its standard error carries one JSON object per progress report (see the CLI's
``JSONProgress``); other lines there are the engine's warnings and errors. The child runs in its
own session: Ctrl-C in Python reaches it exactly once, forwarded by :func:`run_step`, and the
engine's own handler stops training after the current step with the best model kept.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Callable, Sequence

logger = logging.getLogger("doppel")


class DoppelError(Exception):
    """A Doppel step failed; the message is the engine's own."""


class DoppelArgumentError(DoppelError, ValueError):
    """An argument was refused (by this package or by the engine) before any work was done."""


class DoppelWorkspaceError(DoppelError):
    """The workspace is missing a step, was made by an interrupted or older run, or is in use."""


class DoppelDataError(DoppelError):
    """The input data could not be read (the message names the file, line and column)."""


def binary_path() -> str:
    """The engine binary: ``$DOPPEL_BINARY``, else the one bundled in the package."""
    configured = os.environ.get("DOPPEL_BINARY")
    if configured:
        return configured
    bundled = Path(__file__).parent / "bin" / "doppel"
    if bundled.is_file():
        return str(bundled)
    raise DoppelError(
        f"the doppel engine binary is missing ({bundled}); reinstall the package with "
        "`pip install ./python` from a checkout (it builds the binary), or set DOPPEL_BINARY"
    )


ProgressHandler = Callable[[dict], bool]
"""Receives each JSON progress event; returns True to ask the engine to stop (training only)."""


def run_step(command: str, arguments: Sequence[str], *, on_event: ProgressHandler | None = None) -> str:
    """Runs ``doppel COMMAND ARGUMENTS``; returns its standard output.

    Raises a :class:`DoppelError` subclass with the engine's message when the step fails, and
    ``KeyboardInterrupt`` (after the engine has stopped and left its workspace consistent) when
    Ctrl-C was pressed.
    """
    argv = [binary_path(), command, *arguments]
    logger.debug("running %s", " ".join(argv))
    environment = dict(os.environ, DOPPEL_PROGRESS="json")
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
                               start_new_session=True)
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True)
    reader.start()
    text_lines: list[str] = []
    error_kind: list[str] = []
    interrupted = False
    stop_sent = False

    def request_stop() -> None:
        nonlocal stop_sent
        if not stop_sent and process.poll() is None:
            process.send_signal(signal.SIGINT)
            stop_sent = True

    while True:
        try:
            raw = process.stderr.readline()
        except KeyboardInterrupt:
            interrupted = True
            request_stop()
            continue
        if not raw:
            break
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        event = _parse_event(line)
        if event is None:
            if line.strip():
                text_lines.append(line)
                if not line.startswith(("error:", "Error:")):
                    logger.warning("%s", line)
            continue
        if event.get("event") == "message":
            logger.info("%s", event.get("text", ""))
        if event.get("event") == "error":
            error_kind.append(str(event.get("kind", "other")))
            continue
        if on_event is not None:
            try:
                if on_event(event):
                    request_stop()
            except KeyboardInterrupt:
                interrupted = True
                request_stop()
    while True:
        try:
            status = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
            request_stop()
    reader.join()
    if interrupted:
        raise KeyboardInterrupt
    if status != 0:
        raise _error(command, status, text_lines, stopped=stop_sent, kind=error_kind[-1] if error_kind else None)
    return b"".join(output).decode("utf-8", errors="replace")


def _parse_event(line: str) -> dict | None:
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _error(command: str, status: int, lines: list[str], stopped: bool, kind: str | None) -> DoppelError:
    """The exception for a failed step: its class from the kind the engine reports with the error
    (``workspace``, ``data``, ``option``, ``other``), the argument parser's usage errors (exit
    status 64) as argument errors; the message is the engine's."""
    errors = [line.split(":", 1)[1].strip() for line in lines if line.startswith(("error:", "Error:"))]
    message = f"doppel {command}: " + ("; ".join(errors) or "\n".join(lines[-5:]) or f"exit status {status}")
    if stopped and status == 130:
        return DoppelError(f"doppel {command} was stopped before it completed; run it again")
    if status == 64 or kind == "option":
        return DoppelArgumentError(message)
    return {"workspace": DoppelWorkspaceError, "data": DoppelDataError}.get(kind, DoppelError)(message)
