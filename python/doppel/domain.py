"""Enums and configuration classes of the reference engine's API (``mostlyai.engine.domain``).

The names and values are the reference's, so code written for it keeps working. Configurations
accept either the class or a plain ``dict`` (camelCase aliases included) wherever a function
takes them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, Mapping


class _StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class ModelEncodingType(_StrEnum):
    """How a column is modelled. ``AUTO`` lets the engine choose from the data."""

    auto = "AUTO"
    tabular_categorical = "TABULAR_CATEGORICAL"
    tabular_numeric_auto = "TABULAR_NUMERIC_AUTO"
    tabular_numeric_discrete = "TABULAR_NUMERIC_DISCRETE"
    tabular_numeric_binned = "TABULAR_NUMERIC_BINNED"
    tabular_numeric_digit = "TABULAR_NUMERIC_DIGIT"
    tabular_character = "TABULAR_CHARACTER"
    tabular_datetime = "TABULAR_DATETIME"
    tabular_datetime_relative = "TABULAR_DATETIME_RELATIVE"
    tabular_lat_long = "TABULAR_LAT_LONG"
    language_text = "LANGUAGE_TEXT"
    language_categorical = "LANGUAGE_CATEGORICAL"
    language_numeric = "LANGUAGE_NUMERIC"
    language_datetime = "LANGUAGE_DATETIME"


class ModelType(_StrEnum):
    tabular = "TABULAR"
    language = "LANGUAGE"


class ModelStateStrategy(_StrEnum):
    """``reset``: train from scratch; ``resume``: continue an interrupted run from its checkpoint;
    ``reuse``: fine-tune saved weights (not supported by Doppel yet)."""

    reset = "RESET"
    reuse = "REUSE"
    resume = "RESUME"


class RareCategoryReplacementMethod(_StrEnum):
    """``constant``: rare categories come out as ``_RARE_``; ``sample``: a kept category is drawn."""

    constant = "CONSTANT"
    sample = "SAMPLE"


class _Config:
    """A configuration given as the class or as a mapping (snake_case or camelCase keys)."""

    _aliases: dict = {}

    @classmethod
    def coerce(cls, value: Any):
        """``value`` as this class: an instance as is, a mapping converted, ``None`` kept."""
        if value is None or isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise TypeError(f"{cls.__name__} expected, got {type(value).__name__}")
        names = {f.name for f in fields(cls)}
        renamed = {cls._aliases.get(k, k): v for k, v in value.items()}
        unknown = set(renamed) - names
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
        return cls(**renamed)


@dataclass
class DifferentialPrivacyConfig(_Config):
    """Differential privacy of training and of the value protection in analyze.
    ``noise_multiplier=None`` calibrates the noise so that ``max_epochs`` spend ``max_epsilon``."""

    max_epsilon: float | None = 10.0
    delta: float = 1e-5
    noise_multiplier: float | None = 1.5
    max_grad_norm: float = 1.0
    value_protection_epsilon: float | None = 1.0
    _aliases = {"maxEpsilon": "max_epsilon", "noiseMultiplier": "noise_multiplier", "maxGradNorm": "max_grad_norm",
                "valueProtectionEpsilon": "value_protection_epsilon"}


@dataclass
class RebalancingConfig(_Config):
    column: str
    probabilities: dict = field(default_factory=dict)


@dataclass
class ImputationConfig(_Config):
    columns: list = field(default_factory=list)


@dataclass
class FairnessConfig(_Config):
    target_column: str
    sensitive_columns: list = field(default_factory=list)
    _aliases = {"targetColumn": "target_column", "sensitiveColumns": "sensitive_columns"}
