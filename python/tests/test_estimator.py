"""The scikit-learn-style estimator, as in the reference's README quick start."""

import pandas as pd
import pytest

from doppel import TabularARGN
from conftest import prepare


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
    with pytest.raises(NotImplementedError, match="n_draws"):
        argn.predict(data, target="survived", n_draws=5)
    with pytest.raises(RuntimeError, match="fit"):
        TabularARGN().sample(n_samples=1)


def test_impute_fills_only_missing_cells(titanic_path):
    data = pd.read_csv(titanic_path)
    argn = TabularARGN(model="S", max_epochs=3, random_state=4).fit(data)
    holes = data.head(200).copy()
    holes.loc[holes.index[::2], "embarked"] = None
    holes.loc[holes.index[::3], "age"] = None
    filled = argn.impute(holes)
    assert filled.shape == holes.shape
    assert filled["embarked"].notna().all() and filled["age"].notna().all()
    present = holes["embarked"].notna()
    assert (filled.loc[present.values, "embarked"].values == holes.loc[present, "embarked"].values).all()
    assert (filled["sex"].values == holes["sex"].values).all()
    medians = argn.impute(holes, n_draws=9, agg_fn="median")
    assert medians["age"].notna().all() and medians.shape == holes.shape
    with pytest.raises(NotImplementedError, match="agg_fn"):
        argn.impute(holes, n_draws=3, agg_fn="list")


def test_generate_with_rebalancing_and_imputation(titanic_path, tmp_path):
    import doppel as engine
    ws = tmp_path / "ws"
    prepare(engine, titanic_path, ws, seed=6)
    engine.train(workspace_dir=ws, model="S", max_epochs=3)
    rebalanced = engine.generate(workspace_dir=ws, sample_size=1000,
                                 rebalancing=engine.RebalancingConfig(column="sex", probabilities={"female": 0.7}))
    assert abs((rebalanced["sex"] == "female").mean() - 0.7) <= 0.01
    complete = engine.generate(workspace_dir=ws, sample_size=500, imputation={"columns": ["age"]})
    assert complete["age"].notna().all()
    fair = engine.generate(workspace_dir=ws, sample_size=2000, rare_category_replacement_method="SAMPLE",
                           fairness=engine.FairnessConfig(target_column="survived", sensitive_columns=["sex"]))
    shares = fair.groupby("sex")["survived"].mean()
    assert abs(shares["female"] - shares["male"]) < 0.01


def test_predict_predict_proba_and_log_prob(titanic_path):
    data = pd.read_csv(titanic_path)
    argn = TabularARGN(model="S", max_epochs=5, random_state=8).fit(data)
    features = data.drop(columns=["sex"]).head(300)
    predicted = argn.predict(features, target="sex")
    assert len(predicted) == 300 and set(predicted) <= {"male", "female"}
    proba = argn.predict_proba(features, target="sex")
    assert {"male", "female"} <= set(proba.columns)
    assert ((proba.sum(axis=1) - 1).abs() < 1e-5).all()
    scores = argn.log_prob(data.head(300))
    head = data.head(300)
    # Every column shuffled on its own (another permutation each): marginals kept, dependence gone.
    shuffled = head.apply(lambda column: column.sample(frac=1, random_state=head.columns.get_loc(column.name)).values)
    assert len(scores) == 300 and scores.mean() > argn.log_prob(shuffled).mean()
