"""The reference engine's progress protocol on top of the engine's JSON progress events.

``update_progress(total=None, completed=None, advance=None, message=None, **kwargs)`` is called
with ``completed=0, total=1`` when a step starts and ``completed=1, total=1`` when it ends; in
between with the step's own counts, and during training once per report with ``message`` holding
the reference's fields (``epoch``, ``is_checkpoint``, ``steps``, ``samples``, ``trn_loss``,
``val_loss``, ``total_time``, ``learn_rate``). A return value ``{"stopExecution": True}`` stops
training after the current step, keeping the best model.
"""

from __future__ import annotations

import math
from typing import Callable

ProgressCallback = Callable[..., "dict | None"]


def _wants_stop(result) -> bool:
    return isinstance(result, dict) and bool(result.get("stopExecution"))


class StepProgress:
    """Translates one step's events for ``update_progress`` (or a tqdm bar when it is ``None``)."""

    def __init__(self, step: str, update_progress: ProgressCallback | None, show_bar: bool = True):
        self.step = step
        self.callback = update_progress
        self.bar = None
        if update_progress is None and show_bar:
            self.bar = _tqdm_bar(step)

    def __enter__(self) -> "StepProgress":
        self._call(completed=0, total=1)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self._call(completed=1, total=1)
        if self.bar is not None:
            self.bar.close()

    def __call__(self, event: dict) -> bool:
        """Handles one engine event; True asks the engine to stop."""
        name = event.get("event")
        if name == "training":
            steps = int(event.get("steps", 0))
            epoch = float(event.get("epoch") or 0)
            max_epochs = int(event.get("max_epochs") or 1)
            total = max(steps, math.ceil(steps / epoch * max_epochs)) if epoch > 0 else None
            message = {key: event.get(key) for key in
                       ("epoch", "is_checkpoint", "steps", "samples", "trn_loss", "val_loss", "total_time", "learn_rate")}
            if message["val_loss"] is None:
                del message["val_loss"]
            return self._call(completed=steps, total=total, message=message)
        if name == "step":
            return self._call(completed=int(event.get("completed", 0)), total=max(1, int(event.get("total", 1))))
        return False

    def _call(self, **kwargs) -> bool:
        if self.callback is not None:
            return _wants_stop(self.callback(**kwargs))
        if self.bar is not None:
            total, completed = kwargs.get("total"), kwargs.get("completed")
            if total:
                self.bar.total = total
            if completed is not None:
                self.bar.n = completed
            message = kwargs.get("message")
            if message and "val_loss" in message:
                self.bar.set_postfix(epoch=message["epoch"], val_loss=round(message["val_loss"], 4), refresh=False)
            self.bar.refresh()
        return False


def _tqdm_bar(step: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=1, desc=step, leave=False)
