"""Opens a Doppel workspace's partition folders the way docs/workspace.md shows, with one engine.

Usage: workspace_open.py pandas|pyarrow|polars|duckdb WORKSPACE EXPECTED_JSON

EXPECTED_JSON: {"tgt": {"rows": n, "columns": [names]}, "ctx": {...}} (ctx only for sequential data).
Each folder `WORKSPACE/OriginalData/{tgt,ctx}-data` is opened as a whole with the engine's one-liner
from the documentation, and its row count and column names are compared with the expectation. DuckDB
goes through `pyarrow.dataset` (core DuckDB has no Arrow IPC file reader; see arrow_check_engines.py).
Exits non-zero and prints every mismatch.
"""
import glob
import json
import sys

from expectations import report


def open_folder(engine, folder):
    """(rows, column names) of all partition files in `folder`, read as one table."""
    if engine == "pandas":
        import pandas as pd
        import pyarrow.dataset as ds

        frame = pd.concat([pd.read_feather(f) for f in sorted(glob.glob(f"{folder}/*.arrow"))])
        whole = ds.dataset(folder, format="ipc").to_table().to_pandas()
        if len(whole) != len(frame) or list(whole.columns) != list(frame.columns):
            raise ValueError(f"to_pandas gives {whole.shape}, read_feather per file {frame.shape}")
        return len(frame), list(frame.columns)
    if engine == "pyarrow":
        import pyarrow.dataset as ds

        table = ds.dataset(folder, format="ipc").to_table()
        return table.num_rows, table.column_names
    if engine == "polars":
        import polars as pl

        frame = pl.read_ipc(f"{folder}/*.arrow")
        lazy_rows = pl.scan_ipc(f"{folder}/*.arrow").select(pl.len()).collect().item()
        if lazy_rows != frame.height:
            raise ValueError(f"scan_ipc counts {lazy_rows} rows, read_ipc {frame.height}")
        return frame.height, frame.columns
    if engine == "duckdb":
        import duckdb
        import pyarrow.dataset as ds

        connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
        part = ds.dataset(folder, format="ipc")  # noqa: F841 (DuckDB finds the Python variable by name)
        rows = connection.sql("SELECT count(*) FROM part").fetchall()[0][0]
        names = [row[0] for row in connection.sql("DESCRIBE part").fetchall()]
        return rows, names
    raise ValueError(f"unknown engine {engine}")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    engine, workspace, expected_path = sys.argv[1:]
    with open(expected_path) as f:
        expected = json.load(f)
    problems = []
    for role, want in expected.items():
        folder = f"{workspace}/OriginalData/{role}-data"
        try:
            rows, names = open_folder(engine, folder)
        except Exception as error:  # a reader error is a mismatch to report
            problems.append(f"{role}: {type(error).__name__}: {error}")
            continue
        if rows != want["rows"]:
            problems.append(f"{role}: rows {rows} != {want['rows']}")
        if names != want["columns"]:
            problems.append(f"{role}: columns {names} != {want['columns']}")
    report(problems)


if __name__ == "__main__":
    main()
