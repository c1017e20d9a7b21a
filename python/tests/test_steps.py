"""Every step of the reference's API, on the bundled titanic table."""

import pandas as pd
import pyarrow as pa
import pytest

import doppel as engine
from conftest import prepare, FAST, run_pipeline


def test_each_step_writes_the_workspace_and_generate_returns_the_table(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    events = []
    engine.set_random_state(7)
    engine.split(pd.read_csv(titanic_path), workspace_dir=ws, update_progress=lambda **kw: events.append(("split", kw)))
    assert list((ws / "OriginalData" / "tgt-data").glob("*.arrow"))
    engine.analyze(workspace_dir=ws)
    assert (ws / "ModelStore" / "tgt-stats" / "stats.json").exists()
    engine.encode(workspace_dir=ws)
    engine.train(workspace_dir=ws, update_progress=lambda **kw: events.append(("train", kw)), **FAST)
    assert (ws / "ModelStore" / "model-data" / "weights.bin").exists()
    synthetic = engine.generate(workspace_dir=ws, sample_size=300)
    assert isinstance(synthetic, pd.DataFrame)
    assert list(synthetic.columns) == list(pd.read_csv(titanic_path).columns)
    assert len(synthetic) == 300
    # The reference's protocol: (0, 1) at the start, (1, 1) at the end, training messages in between.
    assert events[0] == ("split", {"completed": 0, "total": 1})
    assert ("split", {"completed": 1, "total": 1}) in events
    messages = [kw["message"] for step, kw in events if step == "train" and "message" in kw]
    assert any("val_loss" in m for m in messages)
    assert {"epoch", "steps", "samples", "trn_loss", "learn_rate", "total_time", "is_checkpoint"} <= set(messages[-1])


def test_generate_to_a_path_writes_and_returns_none(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    out = tmp_path / "synthetic.parquet"
    assert run_pipeline(engine, titanic_path, ws, generate_args={"output": out, "sample_size": 50}) is None
    assert pd.read_parquet(out).shape == (50, 8)


def test_same_seed_same_output(titanic_path, tmp_path):
    frames = []
    for run in range(2):
        engine.set_random_state(42)
        frames.append(run_pipeline(engine, titanic_path, tmp_path / f"ws{run}", generate_args={"sample_size": 100}))
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_parallel_backend_and_n_jobs_on_every_step(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    engine.set_random_state(3)
    for backend in ("sequential", "threads"):
        options = {"parallel_backend": backend, "n_jobs": 2}
        engine.split(titanic_path, workspace_dir=ws, **options)
        engine.analyze(workspace_dir=ws, **options)
        engine.encode(workspace_dir=ws, **options)
        engine.train(workspace_dir=ws, **FAST, **options)
        assert len(engine.generate(workspace_dir=ws, sample_size=10, **options)) == 10
    with pytest.raises(engine.DoppelArgumentError, match="parallel_backend"):
        engine.analyze(workspace_dir=ws, parallel_backend="loky")


def test_seed_data_and_arrow_input(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    table = pa.Table.from_pandas(pd.read_csv(titanic_path), preserve_index=False)
    run_pipeline(engine, table, ws)
    seeded = engine.generate(workspace_dir=ws, seed_data=pd.DataFrame({"sex": ["female", "male", "male"]}))
    assert isinstance(seeded, pa.Table)  # the training data's kind
    assert seeded.column("sex").to_pylist() == ["female", "male", "male"]


def test_unsupported_arguments_are_named(tmp_path):
    ws = tmp_path / "ws"
    with pytest.raises(NotImplementedError, match="gradient_accumulation_steps"):
        engine.train(workspace_dir=ws, gradient_accumulation_steps=4)
    with pytest.raises(NotImplementedError, match="batch_size"):
        engine.generate(workspace_dir=ws, batch_size=128)
    with pytest.raises(NotImplementedError, match="trn_val_split"):
        engine.split(pd.DataFrame({"a": [1]}), workspace_dir=ws, trn_val_split=lambda keys: (keys, keys))
    with pytest.raises(NotImplementedError, match="LANGUAGE"):
        engine.split(pd.DataFrame({"a": ["x"]}), workspace_dir=ws, tgt_encoding_types={"a": "LANGUAGE_TEXT"})


def test_bad_argument_and_failing_step_raise_clear_errors(titanic_path, tmp_path):
    with pytest.raises(engine.DoppelArgumentError, match="model"):
        engine.train(workspace_dir=tmp_path / "ws", model="MOSTLY_AI/Huge")
    # A step whose predecessor never ran: the engine's own message, as a Python exception.
    with pytest.raises(engine.DoppelWorkspaceError, match="doppel split"):
        engine.analyze(workspace_dir=tmp_path / "empty")
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n1,"unterminated\n')
    with pytest.raises(engine.DoppelError, match="bad.csv"):
        engine.split(bad, workspace_dir=tmp_path / "ws2")
    # The class comes from the kind the engine reports, not from the message's wording.
    with pytest.raises(engine.DoppelDataError, match="line|:2:"):
        engine.split(bad, workspace_dir=tmp_path / "ws3")


def test_stop_execution_ends_training_with_a_model(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    prepare(engine, titanic_path, ws)
    calls = []

    def stop_after_first_epoch(**kwargs):
        calls.append(kwargs)
        message = kwargs.get("message") or {}
        return {"stopExecution": True} if "val_loss" in message else None

    engine.train(workspace_dir=ws, max_epochs=50, update_progress=stop_after_first_epoch)
    import json
    summary = json.loads((ws / "ModelStore" / "model-data" / "model.json").read_text())["training"]
    assert summary["stopReason"] == "cancelled"
    assert summary["epochs"] < 50
    assert len(engine.generate(workspace_dir=ws, sample_size=5)) == 5


def test_resume_strategy_continues_a_run(titanic_path, tmp_path):
    ws = tmp_path / "ws"
    engine.set_random_state(5)  # a resumed run must have the seed of the run it continues
    run_pipeline(engine, titanic_path, ws, train_args={"max_epochs": 1})
    engine.train(workspace_dir=ws, model="MOSTLY_AI/Small", max_epochs=2, model_state_strategy="RESUME")
    import json
    assert json.loads((ws / "ModelStore" / "model-data" / "model.json").read_text())["training"]["epochs"] == 2


def test_differential_privacy_trains_within_the_budget(titanic_path, tmp_path):
    import json
    ws = tmp_path / "ws"
    prepare(engine, titanic_path, ws, seed=4)
    engine.train(workspace_dir=ws, model="S", max_epochs=50,
                 differential_privacy=engine.DifferentialPrivacyConfig(max_epsilon=2.0, noise_multiplier=1.2))
    summary = json.loads((ws / "ModelStore" / "model-data" / "model.json").read_text())["training"]
    assert summary["privacyEpsilon"] <= 2.0 and summary["privacyDelta"] == 1e-5
    assert len(engine.generate(workspace_dir=ws, sample_size=20)) == 20
