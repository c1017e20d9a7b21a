"""Switching cost: the reference engine's README quick starts with only the import changed.

The snippets are the reference's (mostlyai-engine 2.x README: the step functions, then the
TabularARGN estimator for flat and sequential data); the data comes from local files instead of
the README's URLs (this machine has no internet), and the README's
``from mostlyai import engine`` / ``from mostlyai.engine import TabularARGN`` read ``doppel``.
"""

from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CENSUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "census.csv.gz"


def census_sample() -> pd.DataFrame:
    if CENSUS.exists():
        return pd.read_csv(CENSUS, nrows=4_000)
    return pd.read_csv(EXAMPLES / "titanic.csv")  # a clone without ../shared: the bundled flat table


def test_step_functions_quick_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # --- the reference's quick start, with `from mostlyai import engine` replaced ---
    from pathlib import Path
    import pandas as pd
    import doppel as engine

    # set up workspace and default logging
    ws = Path("ws-tabular-flat")
    engine.init_logging()

    # load original data
    trn_df = census_sample()

    # execute the engine steps
    engine.split(                         # split data as PQT files for `trn` + `val` to `{ws}/OriginalData/tgt-data`
      workspace_dir=ws,
      tgt_data=trn_df,
      model_type="TABULAR",
    )
    engine.analyze(workspace_dir=ws)      # generate column-level statistics to `{ws}/ModelStore/tgt-stats/stats.json`
    engine.encode(workspace_dir=ws)       # encode training data to `{ws}/OriginalData/encoded-data`
    engine.train(                         # train model and store to `{ws}/ModelStore/model-data`
        workspace_dir=ws,
        max_training_time=1,              # limit TRAIN to 1 minute for demo purposes
    )
    engine.generate(workspace_dir=ws)     # use model to generate synthetic samples to `{ws}/SyntheticData`
    syn = pd.read_parquet(ws / "SyntheticData") # load synthetic data
    # --- end of the quick start ---
    assert list(syn.columns) == list(trn_df.columns) and len(syn) > 0


def test_tabular_argn_flat_quick_start():
    # --- the reference's README, "TabularARGN for Flat Data" ---
    import pandas as pd
    from doppel import TabularARGN

    # prepare data
    data = census_sample()
    try:
        from sklearn.model_selection import train_test_split
    except ImportError:  # scikit-learn is not a dependency: the same split by hand
        def train_test_split(frame, test_size):
            test = frame.sample(frac=test_size, random_state=0)
            return frame.drop(test.index), test
    data_train, data_test = train_test_split(data, test_size=0.2)

    # fit TabularARGN
    argn = TabularARGN(max_training_time=1)
    argn.fit(data_train)

    # unconditional sampling
    unconditional = argn.sample(n_samples=1000)

    # prepare seed
    seed_data = pd.DataFrame({
        "age": [25, 50],
        "education": ["Bachelors", "HS-grad"]
    }) if "education" in data.columns else data_test.head(2)[[data.columns[0]]]

    # conditional sampling
    conditional = argn.sample(seed_data=seed_data)
    # --- end ---
    assert unconditional.shape == (1000, data.shape[1])
    assert len(conditional) == 2
    for column in seed_data.columns:
        assert conditional[column].tolist() == seed_data[column].tolist()


def test_tabular_argn_sequential_quick_start():
    # --- the reference's README, "TabularARGN for Sequential Data" ---
    import pandas as pd
    from doppel import TabularARGN

    # load sequential data
    tgt_data = pd.read_csv(EXAMPLES / "baseball-batting.csv")
    ctx_data = pd.read_csv(EXAMPLES / "baseball-players.csv")

    # fit TabularARGN with a context key column
    argn = TabularARGN(
        tgt_context_key="players_id",
        ctx_primary_key="id",
        ctx_data=ctx_data,
        max_training_time=2,  # 2 minutes
        verbose=0,
    )
    argn.fit(tgt_data)

    new_subjects = argn.sample(n_samples=5)

    ctx_data = pd.DataFrame({
        "id": ["Player1", "Player2"],
        "weight": [170, 160],
        "height": [70, 68],
        "bats": ["R", "L"],
        "throws": ["R", "L"],
    })
    given = argn.sample(ctx_data=ctx_data)
    # --- end ---
    assert new_subjects["players_id"].nunique() <= 5
    assert set(given["players_id"]) <= {"Player1", "Player2"}
    assert list(given.columns) == list(tgt_data.columns)
