"""Doppel from Python: the synthetic data engine with the reference engine's API.

``import doppel as engine`` in place of ``from mostlyai import engine``: the steps ``split``,
``analyze``, ``encode``, ``train`` and ``generate`` on a workspace folder, the estimator
``TabularARGN`` (``fit``, ``sample``), the enums and configurations of ``mostlyai.engine.domain``.
Data crosses to the engine as Arrow IPC files; see ``python/README.md``.
"""

from ._api import analyze, encode, generate, init_logging, set_random_state, split, train
from ._argn import TabularARGN
from ._engine import DoppelArgumentError, DoppelDataError, DoppelError, DoppelWorkspaceError, binary_path
from .domain import (DifferentialPrivacyConfig, FairnessConfig, ImputationConfig, ModelEncodingType, ModelStateStrategy,
                     ModelType, RareCategoryReplacementMethod, RebalancingConfig)

__version__ = "0.1.0"

__all__ = [
    "split", "analyze", "encode", "train", "generate", "set_random_state", "init_logging", "TabularARGN",
    "DoppelError", "DoppelArgumentError", "DoppelDataError", "DoppelWorkspaceError", "binary_path",
    "ModelEncodingType", "ModelType", "ModelStateStrategy", "RareCategoryReplacementMethod", "DifferentialPrivacyConfig",
    "RebalancingConfig", "ImputationConfig", "FairnessConfig",
]
