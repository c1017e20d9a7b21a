"""Sequential data from Python: the PR 263 user's flow on the bundled baseball example."""

import pandas as pd
import pyarrow as pa

import doppel as engine
from conftest import FAST


def as_large_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The user's conversion: every text column to pyarrow large_string."""
    text = [c for c in frame.columns if pa.types.is_string(frame[c].dtype.pyarrow_dtype)]
    return frame.astype({c: pd.ArrowDtype(pa.large_string()) for c in text})


def test_pyarrow_backed_large_string_flow(players_path, batting_path, tmp_path):
    for source in (players_path, batting_path):
        pd.read_csv(source).to_parquet(tmp_path / (source.stem + ".parquet"))
    players = as_large_strings(pd.read_parquet(tmp_path / "baseball-players.parquet", dtype_backend="pyarrow"))
    batting = as_large_strings(pd.read_parquet(tmp_path / "baseball-batting.parquet", dtype_backend="pyarrow"))
    ws = tmp_path / "ws"
    engine.set_random_state(11)
    engine.split(workspace_dir=ws, tgt_data=batting, ctx_data=players, tgt_context_key="players_id", ctx_primary_key="id",
                 parallel_backend="threads")
    engine.analyze(workspace_dir=ws, parallel_backend="threads")
    engine.encode(workspace_dir=ws, parallel_backend="threads")
    engine.train(workspace_dir=ws, **FAST)
    synthetic = engine.generate(workspace_dir=ws)
    assert list(synthetic.columns) == list(batting.columns)
    assert synthetic["players_id"].dtype == pd.ArrowDtype(pa.large_string())
    assert synthetic["team"].dtype == pd.ArrowDtype(pa.large_string())
    # One sequence per training subject, keyed by the training context's ids.
    assert set(synthetic["players_id"]) <= set(players["id"])


def test_new_subjects_and_given_context(players_path, batting_path, tmp_path):
    ws = tmp_path / "ws"
    players, batting = pd.read_csv(players_path), pd.read_csv(batting_path)
    engine.set_random_state(12)
    argn = engine.TabularARGN(tgt_context_key="players_id", ctx_primary_key="id", ctx_data=players, workspace_dir=ws, **FAST)
    argn.fit(batting)
    assert len(argn.sample(n_samples=5)["players_id"].unique()) <= 5
    context = players.head(3)
    given = argn.sample(ctx_data=context)
    assert set(given["players_id"]) <= set(context["id"])


def test_sequential_log_prob_and_context_prediction(players_path, batting_path, tmp_path):
    players, batting = pd.read_csv(players_path), pd.read_csv(batting_path)
    engine.set_random_state(13)
    argn = engine.TabularARGN(tgt_context_key="players_id", ctx_primary_key="id", ctx_data=players,
                              workspace_dir=tmp_path / "ws", **FAST)
    argn.fit(batting)
    # One log-likelihood per subject of the context, in its row order.
    scores = argn.log_prob(batting)
    assert len(scores) == len(players) and (scores < 0).all()
    head = players.head(20)
    assert len(argn.log_prob(batting[batting["players_id"].isin(head["id"])], ctx_data=head)) == 20
    # A context column predicted from the other context columns (the context table's model).
    predicted = argn.predict(players.drop(columns=["bats"]).head(50), target="bats")
    assert len(predicted) == 50 and set(predicted) <= set(players["bats"].dropna()) | {"_RARE_"}
