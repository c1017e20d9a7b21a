"""Writes an Arrow IPC file with pyarrow, covering the types Doppel reads, plus the values
Doppel should read back (in Doppel's representation) as JSON.

Usage: arrow_write.py FILE EXPECTED_JSON [lz4|zstd]   (optional body compression)
       arrow_write.py --pandas FILE EXPECTED_JSON  (a pandas frame saved with DataFrame.to_feather's
                                                  defaults: LZ4 compression, pandas metadata)
       arrow_write.py --unsupported KIND FILE   (a file Doppel must reject; KIND: list, struct,
                                                  float16, uint64_overflow)

Columns: signed and unsigned integers of every width, float32/float64, bool, utf8, large_utf8, utf8_view,
dictionaries with int8 (pandas categorical), int16 and int64 indices, timestamps in s/ms/us/ns
with and without time zone, date32 and date64, each with missing values, and a null-typed column. The table is written
in three record batches, so readers must concatenate them.
"""
import datetime as dt
import json
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

ROWS = 9


def build():
    """The table and the expected Doppel values: (type, dictionary, values) per column."""
    ints = [0, 1, -1, None, 100, -100, 7, None, 42]
    unsigned = [0, 1, 255, None, 100, 3, 7, None, 42]
    floats = [0.5, -1.25, None, 3.0, 1e10, -2.5, 0.0, None, 7.75]
    bools = [True, False, None, True, True, False, None, False, True]
    words = ["a", "bb", None, "", "ünï", "a", "cc", None, "zz"]
    cats = ["red", "green", None, "red", "blue", "green", "red", None, "blue"]
    base = dt.datetime(2024, 2, 29, 12, 30, 15, 123456, tzinfo=dt.timezone.utc)
    instants = [base + dt.timedelta(days=i * 400 - 1500, seconds=i * 3607) if i not in (2, 6) else None for i in range(ROWS)]
    dates = [dt.date(1969, 12, 31) + dt.timedelta(days=i * 1000 - 3000) if i != 4 else None for i in range(ROWS)]

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

    def micros(t, unit):
        if t is None:
            return None
        us = (t - epoch) // dt.timedelta(microseconds=1)
        return {"s": us // 1_000_000 * 1_000_000, "ms": us // 1000 * 1000, "us": us, "ns": us}[unit]

    def days(d):
        return None if d is None else (d - dt.date(1970, 1, 1)).days

    columns = {}
    expected = []

    def add(name, array, kind, values, dictionary=False):
        columns[name] = array
        expected.append({"name": name, "type": kind, "dictionary": dictionary, "values": values})

    # Signed integers keep their width; unsigned ones become the next signed type that holds them.
    for bits in (8, 16, 32, 64):
        add(f"int{bits}", pa.array(ints, type=getattr(pa, f"int{bits}")()), f"int{bits}", ints)
    for bits in (8, 16, 32, 64):
        add(f"uint{bits}", pa.array(unsigned, type=getattr(pa, f"uint{bits}")()), f"int{min(64, 2 * bits)}", unsigned)
    add("float32", pa.array(floats, type=pa.float32()), "float64", floats)
    add("float64", pa.array(floats, type=pa.float64()), "float64", floats)
    add("bool", pa.array(bools), "bool", bools)
    add("utf8", pa.array(words, type=pa.string()), "string", words)
    add("large_utf8", pa.array(words, type=pa.large_string()), "string", words)
    # Views keep strings of up to 12 bytes inline and point into data buffers for longer ones
    # (Polars writes this layout by default).
    repeated = [None if w is None else w * 7 for w in words]
    add("utf8_view", pa.array(repeated, type=pa.string_view()), "string", repeated)
    add("dict_view", pa.array(cats, type=pa.string_view()).dictionary_encode(), "string", cats, dictionary=True)
    # pandas categoricals become dictionaries with int8 indices.
    categorical = pa.Array.from_pandas(pd.Series(cats, dtype="category"))
    add("category", categorical, "string", cats, dictionary=True)
    add("dict_int16", pa.array(cats).dictionary_encode().cast(pa.dictionary(pa.int16(), pa.string())), "string", cats, dictionary=True)
    add("dict_int64", pa.array(cats).dictionary_encode().cast(pa.dictionary(pa.int64(), pa.string())), "string", cats, dictionary=True)
    for unit in ("s", "ms", "us", "ns"):
        truncated = [None if t is None else epoch + dt.timedelta(microseconds=micros(t, unit)) for t in instants]
        add(f"ts_{unit}_utc", pa.array(truncated, type=pa.timestamp(unit, tz="UTC")), "timestamp", [micros(t, unit) for t in instants])
        naive = [None if t is None else t.replace(tzinfo=None) for t in truncated]
        add(f"ts_{unit}_naive", pa.array(naive, type=pa.timestamp(unit)), "timestamp", [micros(t, unit) for t in instants])
    paris = pd.Series(pd.to_datetime([t for t in instants], utc=True)).dt.tz_convert("Europe/Paris")
    add("ts_paris", pa.Array.from_pandas(paris), "timestamp", [micros(t, "ns") for t in instants])
    add("date32", pa.array(dates, type=pa.date32()), "date", [days(d) for d in dates])
    add("date64", pa.array(dates, type=pa.date64()), "date", [days(d) for d in dates])
    # An all-None pandas column becomes Arrow's null type; Doppel reads it as missing strings.
    add("nothing", pa.nulls(ROWS), "string", [None] * ROWS)
    return pa.table(columns), expected


def write_unsupported(kind, path):
    """A file with one good column "ok" and one column "bad" that Doppel cannot read."""
    import numpy as np

    bad = {
        "list": pa.array([[1, 2], None, [3]]),
        "struct": pa.array([{"x": 1}, None, {"x": 3}]),
        "float16": pa.array(np.array([1.0, 2.0, 3.0], dtype=np.float16)),
        "uint64_overflow": pa.array([1, 2**64 - 1, 3], type=pa.uint64()),
    }[kind]
    table = pa.table({"ok": pa.array([1, 2, 3]), "bad": bad})
    with ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)


def write_pandas(path, expected_path):
    """A typical pandas frame, written by to_feather (defaults); expectations come from pyarrow's
    own reading of the file, converted to Doppel's representation."""
    import numpy as np
    import pyarrow.feather as feather

    frame = pd.DataFrame({
        "count": [1, 2, 3, 4],
        "price": [1.5, np.nan, 3.0, -0.5],
        "active": [True, False, True, True],
        "label": ["a", None, "c", "ünï"],
        "kind": pd.Categorical(["x", "y", "x", None]),
        "seen": pd.to_datetime(["2024-01-01 00:00:00.000001", None, "2024-03-01 12:00:00.123456", "1969-07-20 20:17:40"], format="ISO8601"),
        "local": pd.to_datetime(["2024-01-01", "2024-07-01 08:30", None, "2000-02-29"], format="ISO8601").tz_localize("Europe/Berlin"),
        "maybe": pd.array([1, None, 3, -4], dtype="Int64"),
        "day": [dt.date(2024, 1, 1), None, dt.date(1960, 5, 5), dt.date(1970, 1, 1)],
    })
    frame.to_feather(path)
    table = feather.read_table(path)
    expected = []
    for field, column in zip(table.schema, table.columns):
        kind, dictionary = field.type, False
        if pa.types.is_dictionary(kind):
            column, kind, dictionary = column.cast(kind.value_type), kind.value_type, True
        if pa.types.is_integer(kind):
            bits = kind.bit_width * (1 if pa.types.is_signed_integer(kind) else 2)
            name = f"int{min(64, bits)}"
        elif pa.types.is_floating(kind):
            name = "float64"
        elif pa.types.is_boolean(kind):
            name = "bool"
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            name = "string"
        elif pa.types.is_timestamp(kind):
            name, column = "timestamp", column.cast(pa.timestamp("us", tz=kind.tz)).cast(pa.int64())
        elif pa.types.is_date32(kind):
            name, column = "date", column.cast(pa.int32())
        else:
            raise SystemExit(f"unexpected type {kind}")
        expected.append({"name": field.name, "type": name, "dictionary": dictionary, "values": column.to_pylist()})
    with open(expected_path, "w") as f:
        json.dump({"rows": table.num_rows, "columns": expected}, f)


def main():
    if sys.argv[1] == "--pandas":
        write_pandas(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1] == "--unsupported":
        write_unsupported(sys.argv[2], sys.argv[3])
        return
    path, expected_path = sys.argv[1], sys.argv[2]
    compression = sys.argv[3] if len(sys.argv) > 3 else None
    table, expected = build()
    options = ipc.IpcWriteOptions(compression=compression)
    with ipc.new_file(path, table.schema, options=options) as writer:
        for batch in table.to_batches(max_chunksize=4):
            writer.write_batch(batch)
    with open(expected_path, "w") as f:
        json.dump({"rows": table.num_rows, "columns": expected}, f)


if __name__ == "__main__":
    main()
