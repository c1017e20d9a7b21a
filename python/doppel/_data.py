"""Tables in and out of the engine, as Arrow IPC files, never as CSV.

Inputs: file paths (CSV, Parquet, Arrow) go to the engine as they are, never loaded in Python;
pyarrow Tables, pandas and polars DataFrames are written to an Arrow IPC file in slices of rows,
so the Python process never holds a second copy of the input (one slice at a time is converted).
The input's schema is kept in the workspace (``python/``), and outputs, which the engine writes as
Arrow IPC files and Python maps into memory, are given back the input's kind and column types:
pandas dtypes (numpy, nullable, categorical, tz-aware, pyarrow-backed), polars or pyarrow types.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

FILE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".parquet", ".pq", ".arrow", ".feather", ".ipc")
SLICE_BYTES = 32 << 20
"""Target size of one converted slice of a DataFrame (bounds the extra memory of a conversion)."""


def _pandas():
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _polars():
    import sys
    return sys.modules.get("polars")


def kind_of(data: Any) -> str:
    """``"path"``, ``"pandas"``, ``"polars"`` or ``"arrow"``; TypeError for anything else."""
    if isinstance(data, (str, os.PathLike)):
        return "path"
    if isinstance(data, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)):
        return "arrow"
    pd = _pandas()
    if pd is not None and isinstance(data, pd.DataFrame):
        return "pandas"
    pl = _polars()
    if pl is not None and isinstance(data, (pl.DataFrame, pl.LazyFrame)):
        return "polars"
    raise TypeError(f"expected a file path, a pandas or polars DataFrame or a pyarrow Table, got {type(data).__name__}")


def engine_input(data: Any, folder: Path, name: str) -> tuple[str, pa.Schema | None, dict]:
    """A path the engine can read for ``data``, the Arrow schema of what was written (``None`` for
    a file path) and per-column notes for restoring pandas dtypes."""
    kind = kind_of(data)
    if kind == "path":
        path = Path(data)
        if not path.exists():
            raise FileNotFoundError(f"no such file: {path}")
        if not str(path).lower().endswith(FILE_SUFFIXES):
            raise ValueError(f"{path}: unsupported file type (expected one of {', '.join(FILE_SUFFIXES)})")
        return str(path), None, {}
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.arrow"
    if kind == "pandas":
        schema, notes = _write_pandas(data, target)
    elif kind == "polars":
        frame = data.collect() if hasattr(data, "collect") and not hasattr(data, "to_arrow") else data
        schema, notes = _write_batches(frame.to_arrow().unify_dictionaries().to_batches(), target), {}
    elif isinstance(data, pa.Table):
        # One dictionary per column for the whole file (IPC files cannot replace one between batches).
        schema, notes = _write_batches(data.unify_dictionaries().to_batches(), target), {}
    else:
        schema, notes = _write_batches([data] if isinstance(data, pa.RecordBatch) else data, target, decode_dictionaries=True), {}
    return str(target), schema, notes


def _engine_type(t: pa.DataType) -> pa.DataType:
    """The type a column is handed to the engine in: what it reads natively, else the nearest."""
    if pa.types.is_dictionary(t):
        return t if (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)) else _engine_type(t.value_type)
    if pa.types.is_decimal(t) or pa.types.is_float16(t):
        return pa.float64()
    if pa.types.is_time(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return pa.string()
    if pa.types.is_duration(t):
        return pa.int64()
    return t


def _for_engine(batch: pa.RecordBatch, decode_dictionaries: bool = False) -> pa.RecordBatch:
    columns, changed = [], False
    for column in batch.columns:
        target = _engine_type(column.type)
        if decode_dictionaries and pa.types.is_dictionary(target):
            target = target.value_type
        if target != column.type:
            column = column.cast(target)
            changed = True
        columns.append(column)
    if not changed:
        return batch
    names = [str(n) for n in batch.schema.names]
    return pa.RecordBatch.from_arrays(columns, names=names)


def _write_batches(batches, target: Path, decode_dictionaries: bool = False) -> pa.Schema:
    """Writes the batches to an Arrow IPC file; returns the schema of the ORIGINAL batches.
    ``decode_dictionaries``: for a stream whose batches may carry different dictionaries."""
    writer = None
    original = None
    try:
        for batch in batches:
            if original is None:
                original = batch.schema
            converted = _for_engine(batch, decode_dictionaries)
            if writer is None:
                writer = ipc.new_file(str(target), converted.schema)
            writer.write_batch(converted)
        if writer is None:
            raise ValueError("the table has no columns or no schema")
    finally:
        if writer is not None:
            writer.close()
    return original


def _write_pandas(frame, target: Path) -> tuple[pa.Schema, dict]:
    """A DataFrame in slices of rows (about ``SLICE_BYTES`` each), dictionary columns with one
    dictionary for the whole file (IPC files cannot replace dictionaries between batches)."""
    pd = _pandas()
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.copy(deep=False)  # new column labels, same data
        frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise ValueError(f"duplicate column names: {sorted(set(frame.columns[frame.columns.duplicated()]))}")
    notes = {name: _pandas_note(frame[name]) for name in frame.columns}
    rows = len(frame)
    # Bytes per row from the first rows with their strings counted (`deep`), so object columns
    # are not taken for 8-byte pointers.
    head = frame.iloc[:1000]
    per_row = max(1, int(head.memory_usage(index=False, deep=True).sum()) // max(len(head), 1))
    step = max(1024, SLICE_BYTES // per_row)
    categorical = [name for name in frame.columns if isinstance(frame[name].dtype, pd.CategoricalDtype)]

    def batches():
        for start in range(0, max(rows, 1), step):
            part = frame.iloc[start:start + step]
            if categorical:
                # The categories as plain strings: one slice's dictionary would differ from the next's.
                part = part.assign(**{name: part[name].astype(str).where(part[name].notna(), None) for name in categorical})
            yield pa.RecordBatch.from_pandas(part, preserve_index=False)
            if rows == 0:
                return

    schema = _write_batches(batches(), target)
    return schema, notes


def _pandas_note(series) -> dict:
    pd = _pandas()
    dtype = series.dtype
    note = {"dtype": str(dtype)}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        note["ordered"] = bool(dtype.ordered)
        if len(categories) <= 100_000:
            note["categories"] = [str(c) for c in categories]
    if isinstance(dtype, getattr(pd, "ArrowDtype", ())):
        note["arrow"] = True
    return note


def save_schema(folder: Path, role: str, kind: str, schema: pa.Schema | None, notes: dict) -> None:
    """Keeps what :func:`restore` needs in the workspace's ``python/`` folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{role}.json").write_text(json.dumps({"kind": kind, "columns": notes}))
    schema_file = folder / f"{role}.arrows"
    if schema is not None:
        schema_file.write_bytes(schema.serialize().to_pybytes())
    elif schema_file.exists():
        schema_file.unlink()


def load_schema(folder: Path, role: str) -> tuple[str, pa.Schema | None, dict]:
    description = folder / f"{role}.json"
    if not description.exists():
        return ("pandas" if _pandas() is not None else "arrow"), None, {}
    info = json.loads(description.read_text())
    schema_file = folder / f"{role}.arrows"
    schema = ipc.read_schema(pa.py_buffer(schema_file.read_bytes())) if schema_file.exists() else None
    kind = info.get("kind", "pandas")
    if kind == "path":
        kind = "pandas" if _pandas() is not None else "arrow"
    return kind, schema, info.get("columns", {})


def read_output(path: str | Path) -> pa.Table:
    """An Arrow IPC file written by the engine, memory-mapped (no copy of the data)."""
    source = pa.memory_map(str(path), "r")
    return ipc.open_file(source).read_all()


def _cast(column: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    if column.type == target:
        return column
    if pa.types.is_dictionary(target):
        column = _cast(column, target.value_type).dictionary_encode()
        try:
            return column.cast(target) if column.type != target else column
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return column
    if pa.types.is_timestamp(target) and pa.types.is_timestamp(column.type) and target.tz and not column.type.tz:
        column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
    if pa.types.is_boolean(target) and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        import pyarrow.compute as pc
        lowered = pc.utf8_lower(column)
        return pc.if_else(pc.is_in(lowered, pa.array(["true", "1", "yes"])), True,
                          pc.if_else(pc.is_in(lowered, pa.array(["false", "0", "no"])), False, None))
    try:
        return column.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return column


def as_kind(table: pa.Table, kind: str, schema: pa.Schema | None, notes: dict):
    """``table`` with the input's column types, as a pyarrow Table, pandas or polars DataFrame."""
    if schema is not None:
        columns = []
        for name in table.column_names:
            index = schema.get_field_index(name)
            columns.append(_cast(table.column(name), schema.field(index).type) if index >= 0 else table.column(name))
        table = pa.table(columns, names=table.column_names)
    if kind == "arrow":
        return table
    if kind == "polars":
        import polars as pl
        return pl.from_arrow(table)
    pd = _pandas()
    if pd is None:
        return table
    series = {name: _pandas_column(table.column(name), notes.get(name, {})) for name in table.column_names}
    return pd.DataFrame(series, copy=False) if series else pd.DataFrame(index=range(table.num_rows))


def _pandas_column(column: pa.ChunkedArray, note: dict):
    pd = _pandas()
    dtype = note.get("dtype")
    if note.get("arrow"):
        return pd.Series(pd.arrays.ArrowExtensionArray(column), copy=False)
    if dtype == "category":
        values = column.to_pandas()
        present = pd.Index(values.dropna().unique())
        # The input's categories in their order; values the engine adds (e.g. `_RARE_`) after them.
        categories = pd.Index(note["categories"]) if "categories" in note else present.sort_values()
        categories = categories.append(present.difference(categories).sort_values()) if len(present.difference(categories)) else categories
        kind = pd.CategoricalDtype(categories, ordered=note.get("ordered", False))
        return pd.Series(pd.Categorical(values, dtype=kind))
    series = column.to_pandas()
    if dtype and str(series.dtype) != dtype:
        try:
            series = series.astype(dtype)
        except (TypeError, ValueError):
            pass
    return series
