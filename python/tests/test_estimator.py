"""The scikit-learn-style estimator, as in the reference's README quick start."""

import pandas as pd
import pytest

from doppel import TabularARGN


def test_fit_and_sample(titanic_path):
    data = pd.read_csv(titanic_path)
    argn = TabularARGN(model="MOSTLY_AI/Small", max_epochs=2, random_state=1)
    argn.fit(data)
    assert argn.sample(n_samples=100).shape == (100, 8)
    seeded = argn.sample(seed_data=pd.DataFrame({"sex": ["female", "male"], "pclass": [1, 3]}))
    assert seeded["sex"].tolist() == ["female", "male"] and seeded["pclass"].tolist() == [1, 3]
    workspace = argn.workspace
    assert workspace.exists()
    del argn
    assert not workspace.exists()  # the temporary workspace goes with the estimator


def test_y_is_appended_and_missing_features_are_named(titanic_path):
    data = pd.read_csv(titanic_path)
    argn = TabularARGN(model="S", max_epochs=1, random_state=2).fit(data.drop(columns=["survived"]), data["survived"])
    assert "survived" in argn.sample(n_samples=10).columns
    for method in ("predict", "predict_proba", "impute", "log_prob"):
        with pytest.raises(NotImplementedError, match=method):
            getattr(argn, method)(data)
    with pytest.raises(RuntimeError, match="fit"):
        TabularARGN().sample(n_samples=1)
