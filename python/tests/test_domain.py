"""The reference's enums and configurations: values, and dicts with camelCase keys."""

import pytest

from doppel import DifferentialPrivacyConfig, FairnessConfig, ModelEncodingType, ModelStateStrategy, RareCategoryReplacementMethod


def test_enum_values_are_the_references():
    assert ModelEncodingType("TABULAR_NUMERIC_DIGIT") is ModelEncodingType.tabular_numeric_digit
    assert str(ModelStateStrategy.resume) == "RESUME"
    assert RareCategoryReplacementMethod("SAMPLE") is RareCategoryReplacementMethod.sample


def test_configs_from_dicts_with_either_key_style():
    dp = DifferentialPrivacyConfig.coerce({"maxEpsilon": 3.0, "value_protection_epsilon": 0.5})
    assert dp.max_epsilon == 3.0 and dp.value_protection_epsilon == 0.5 and dp.delta == 1e-5
    fairness = FairnessConfig.coerce({"targetColumn": "income", "sensitiveColumns": ["sex"]})
    assert fairness == FairnessConfig(target_column="income", sensitive_columns=["sex"])
    assert FairnessConfig.coerce(fairness) is fairness and FairnessConfig.coerce(None) is None
    with pytest.raises(ValueError, match="unknown field"):
        DifferentialPrivacyConfig.coerce({"epsilon": 1})
