"""Checks that pyarrow reads an Arrow IPC file written by Doppel with the expected types and values.

Usage: arrow_check.py FILE EXPECTED_JSON [FILE EXPECTED_JSON ...]

EXPECTED_JSON: {"rows": n, "metadata": {...}, "columns": [{"name", "type", "dictionary", "values"}]}
with type one of int8, int16, int32, int64, float64 (values as text, e.g. "inf"), bool, string, timestamp (microseconds),
date (days); null = missing.
Exits non-zero and prints every mismatch when the file differs.
"""
import sys

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc

from expectations import expected_values, run_checks, same_values

ARROW_TYPES = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "int16": pa.int16(),
    "int8": pa.int8(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}
RAW_TYPES = {"timestamp": pa.int64(), "date": pa.int32()}


def check(path, expected):
    problems = []
    with ipc.open_file(path) as reader:
        table = reader.read_all()
        metadata = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
    table.validate(full=True)
    if feather.read_table(path).num_rows != expected["rows"]:
        problems.append("feather.read_table row count differs")
    if table.num_rows != expected["rows"]:
        problems.append(f"rows: {table.num_rows} != {expected['rows']}")
    if metadata != expected.get("metadata", {}):
        problems.append(f"metadata: {metadata} != {expected.get('metadata', {})}")
    if table.column_names != [c["name"] for c in expected["columns"]]:
        problems.append(f"names: {table.column_names}")
        return problems
    for spec in expected["columns"]:
        column = table.column(spec["name"])
        want = ARROW_TYPES[spec["type"]]
        if spec.get("dictionary"):
            want = pa.dictionary(pa.int32(), want)
        if column.type != want:
            problems.append(f"{spec['name']}: type {column.type} != {want}")
            continue
        if spec.get("dictionary"):
            column = column.cast(pa.string())
        if spec["type"] in RAW_TYPES:
            column = column.cast(RAW_TYPES[spec["type"]])
        values = column.to_pylist()
        want = expected_values(spec)
        if not same_values(values, want):
            problems.append(f"{spec['name']}: values {values} != {want}")
    return problems


def main():
    if len(sys.argv) < 3 or len(sys.argv) % 2 == 0:
        sys.exit(__doc__)
    run_checks(zip(sys.argv[1::2], sys.argv[2::2]), check)


if __name__ == "__main__":
    main()
