"""Every input kind and column type round-trips through split → generate with its own types."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import doppel as engine
from conftest import run_pipeline

ROWS = 400


def mixed_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = ROWS
    frame = pd.DataFrame({
        "int64": rng.integers(0, 100, n),
        "int32": rng.integers(-5, 5, n).astype("int32"),
        "float64": rng.normal(size=n),
        "float32": rng.normal(size=n).astype("float32"),
        "bool": rng.random(n) < 0.3,
        "object_str": rng.choice(["a", "b", "c"], n).astype(object),
        "category": pd.Categorical(rng.choice(["low", "mid", "high"], n), categories=["low", "mid", "high"]),
        "nullable_int": pd.array([None if i % 7 == 0 else int(i % 13) for i in range(n)], dtype="Int64"),
        "string_dtype": pd.array(rng.choice(["x", "y"], n), dtype="string"),
        "naive_time": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="h"),
        "tz_time": (pd.Timestamp("2021-06-01", tz="Europe/Vienna") + pd.to_timedelta(rng.integers(0, 1000, n), unit="h")),
        "large_string": pd.Series(rng.choice(["p", "q", "r"], n)).astype(pd.ArrowDtype(pa.large_string())),
        "arrow_int": pd.Series(rng.integers(0, 9, n)).astype(pd.ArrowDtype(pa.int64())),
    })
    return frame


def test_pandas_dtypes_come_back(tmp_path):
    frame = mixed_frame()
    engine.set_random_state(1)
    synthetic = run_pipeline(engine, frame, tmp_path / "ws", generate_args={"sample_size": 200})
    assert list(synthetic.columns) == list(frame.columns)
    for name in frame.columns:
        if name != "category":
            assert synthetic[name].dtype == frame[name].dtype, name
    # A categorical keeps its categories in their order; a value only the engine writes (the
    # rare-category token of a model trained for two epochs) comes after them.
    assert isinstance(synthetic["category"].dtype, pd.CategoricalDtype)
    assert list(synthetic["category"].cat.categories)[:3] == ["low", "mid", "high"]
    assert set(synthetic["category"].dropna()) <= {"low", "mid", "high", "_RARE_"}
    assert synthetic["nullable_int"].isna().any() and (synthetic["nullable_int"].dropna() % 1 == 0).all()
    assert str(synthetic["tz_time"].dt.tz) == "Europe/Vienna"


def test_arrow_table_types_come_back(tmp_path):
    table = pa.Table.from_pandas(mixed_frame().drop(columns=["category"]), preserve_index=False)
    engine.set_random_state(2)
    synthetic = run_pipeline(engine, table, tmp_path / "ws", generate_args={"sample_size": 100})
    assert isinstance(synthetic, pa.Table)
    for field in table.schema:
        assert synthetic.schema.field(field.name).type == field.type, field.name


def test_polars_types_come_back(tmp_path):
    pl = pytest.importorskip("polars", reason="polars is not installed: the polars round trip is skipped")
    frame = pl.DataFrame({
        "i": np.arange(ROWS) % 11,
        "s": ["u", "v", "w", "x"] * (ROWS // 4),
        "f": np.linspace(0, 1, ROWS),
        "c": pl.Series(["k", "l"] * (ROWS // 2), dtype=pl.Categorical),
    })
    engine.set_random_state(3)
    synthetic = run_pipeline(engine, frame, tmp_path / "ws", generate_args={"sample_size": 50})
    assert isinstance(synthetic, pl.DataFrame)
    assert synthetic.schema == frame.schema


def test_file_paths_go_to_the_engine_unread(titanic_path, tmp_path):
    parquet = tmp_path / "titanic.parquet"
    pd.read_csv(titanic_path).to_parquet(parquet)
    for source in (titanic_path, parquet):
        synthetic = run_pipeline(engine, source, tmp_path / f"ws-{source.suffix}", generate_args={"sample_size": 20})
        assert isinstance(synthetic, pd.DataFrame) and synthetic.shape == (20, 8)
