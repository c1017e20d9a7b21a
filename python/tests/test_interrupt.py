"""Ctrl-C in Python during training: the engine stops after its current step, keeps the best
model, leaves a consistent workspace, and Python raises KeyboardInterrupt."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import doppel as engine
from conftest import prepare


def test_ctrl_c_stops_training_and_keeps_the_model(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    prepare(engine, titanic_path, ws, seed=9)
    script = f"""
import doppel, sys
doppel.set_random_state(9)
try:
    doppel.train(workspace_dir={str(ws)!r}, model="L", max_epochs=10000, update_progress=lambda **kw: None)
except KeyboardInterrupt:
    print("KeyboardInterrupt raised")
    sys.exit(3)
print("training ended by itself")
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    progress = ws / "ModelStore" / "model-data" / "progress.csv"
    deadline = time.time() + 120
    while not progress.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert progress.exists(), "training did not reach its first epoch"
    child.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends to Python
    out, err = child.communicate(timeout=120)
    assert child.returncode == 3, out + err
    assert "KeyboardInterrupt raised" in out
    summary = json.loads((ws / "ModelStore" / "model-data" / "model.json").read_text())["training"]
    assert summary["stopReason"] == "cancelled"
    # The workspace is consistent: the trained model generates.
    assert len(engine.generate(workspace_dir=ws, sample_size=7)) == 7
