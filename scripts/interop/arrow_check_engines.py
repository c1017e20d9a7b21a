"""Checks that Polars or DuckDB reads an Arrow IPC file written by Doppel with the expected types and values.

Usage: arrow_check_engines.py polars|duckdb FILE EXPECTED_JSON [FILE EXPECTED_JSON ...]

EXPECTED_JSON is the expectation that arrow_check.py reads (written by the Swift tests):
{"rows": n, "metadata": {...}, "columns": [{"name", "type", "dictionary", "values"}]} with type one of
int8, int16, int32, int64, float64 (values as text, e.g. "inf"), bool, string, timestamp (microseconds
since the epoch, UTC), date (days since the epoch); null = missing.

polars: Polars' own Rust IPC reader (never pyarrow), four ways: `pl.read_ipc(path)`, `pl.read_ipc(bytes)`
(the file in memory), `pl.scan_ipc(path).collect()` and a lazy scan with the columns reversed (projection)
and the first half of the rows (`n_rows`). Polars 2 has no `memory_map` option any more: its reader loads
the buffers into memory in every case. Expected Polars types: Int8/16/32/64, Float64, Boolean, String,
Categorical (dictionary-encoded Utf8), Datetime("us", "UTC"), Date.

duckdb: core DuckDB has no reader of Arrow IPC *files*: `read_arrow` / `FROM 'x.arrow'` come from the
`nanoarrow` community extension (alias `arrow`), which DuckDB downloads on `INSTALL` and which this check
must not need (CI and this project's machines may have no network). So the file is opened with pyarrow
(`pyarrow.ipc.open_file` over a memory map, zero-copy, and `pyarrow.dataset`, a lazy scan) and DuckDB scans
the Arrow data through its built-in Arrow scan, without conversion to pandas. Extension auto-install and
auto-load are switched off. Checked: DuckDB's column types (BIGINT, INTEGER, SMALLINT, TINYINT, DOUBLE,
BOOLEAN, VARCHAR, TIMESTAMP WITH TIME ZONE, DATE), every value and missing value, and one SQL query of
aggregates (count(*), nulls per column, sum/min/max of integer columns, min/max of floats, dates and
timestamps, true count of booleans, distinct count and min/max of strings) against the expectation.

Exits non-zero and prints every mismatch when the file differs.
"""
import math
import sys

from expectations import expected_values, run_checks, same_values

TYPES = ("int8", "int16", "int32", "int64", "float64", "bool", "string", "timestamp", "date")
INTEGERS = ("int8", "int16", "int32", "int64")


def compare_columns(label, names, raw_columns, expected, problems):
    """Compares the names and the raw values (ints for dates and timestamps) of each column."""
    want_names = [c["name"] for c in expected["columns"]]
    if names != want_names:
        problems.append(f"{label}: names {names} != {want_names}")
        return
    for spec, values in zip(expected["columns"], raw_columns):
        want = expected_values(spec)
        if not same_values(values, want):
            problems.append(f"{label}: {spec['name']}: values {values} != {want}")


# Polars


def check_polars(path, expected):
    import polars as pl

    wanted = {
        "int8": pl.Int8, "int16": pl.Int16, "int32": pl.Int32, "int64": pl.Int64, "float64": pl.Float64,
        "bool": pl.Boolean, "string": pl.String, "timestamp": pl.Datetime("us", "UTC"), "date": pl.Date,
    }
    raw = {"timestamp": pl.Int64, "date": pl.Int32}
    problems = []
    columns = expected["columns"]
    names = [c["name"] for c in columns]
    rows = expected["rows"]
    with open(path, "rb") as f:
        data = f.read()
    half = (rows + 1) // 2
    reversed_names = names[::-1]
    reads = [
        ("read_ipc(path)", lambda: pl.read_ipc(path), names, rows),
        ("read_ipc(bytes)", lambda: pl.read_ipc(data), names, rows),
        ("scan_ipc(path)", lambda: pl.scan_ipc(path).collect(), names, rows),
        ("scan_ipc(path, n_rows) reversed columns",
         lambda: pl.scan_ipc(path, n_rows=half).select(reversed_names).collect(), reversed_names, half),
    ]
    by_name = {c["name"]: c for c in columns}
    for label, read, order, count in reads:
        try:
            frame = read()
        except Exception as error:  # a reader error is a mismatch to report, not a crash
            problems.append(f"{label}: {type(error).__name__}: {error}")
            continue
        if frame.height != count:
            problems.append(f"{label}: rows {frame.height} != {count}")
            continue
        specs = [dict(by_name[n], values=by_name[n]["values"][:count]) for n in order]
        raw_columns = []
        for spec in specs:
            name = spec["name"]
            if name not in frame.columns:
                raw_columns.append(None)
                continue
            series = frame[name]
            want = pl.Categorical if spec.get("dictionary") else wanted[spec["type"]]
            if series.dtype != want:
                problems.append(f"{label}: {name}: dtype {series.dtype} != {want}")
            nulls = sum(v is None for v in spec["values"])
            if series.null_count() != nulls:
                problems.append(f"{label}: {name}: null count {series.null_count()} != {nulls}")
            if spec.get("dictionary"):
                series = series.cast(pl.String)
            if spec["type"] in raw:
                series = series.cast(raw[spec["type"]])
            raw_columns.append(series.to_list())
        compare_columns(label, frame.columns, raw_columns, {"columns": specs}, problems)
    return problems


# DuckDB

DUCKDB_TYPES = {
    "int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT", "float64": "DOUBLE",
    "bool": "BOOLEAN", "string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE", "date": "DATE",
}


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def raw_expression(spec):
    """SQL giving the column's raw value: microseconds for timestamps, days for dates."""
    column = quoted(spec["name"])
    if spec["type"] == "timestamp":
        return f"epoch_us({column})"
    if spec["type"] == "date":
        return f"({column} - DATE '1970-01-01')"
    return column


def aggregates(spec):
    """(SQL expression, expected value) pairs for one column."""
    column = quoted(spec["name"])
    values = expected_values(spec)
    present = [v for v in values if v is not None]
    result = [(f"count(*) - count({column})", len(values) - len(present))]
    kind = spec["type"]
    if kind in INTEGERS:
        result.append((f"sum({column})", sum(present) if present else None))
    if kind in INTEGERS + ("date", "timestamp", "string") or (kind == "float64" and not any(map(math.isnan, present))):
        expression = raw_expression(spec)
        result.append((f"min({expression})", min(present) if present else None))
        result.append((f"max({expression})", max(present) if present else None))
    if kind == "bool":
        result.append((f"count(*) FILTER (WHERE {column})", sum(1 for v in present if v)))
    if kind == "string":
        result.append((f"count(DISTINCT {column})", len(set(present))))
    return result


def check_duckdb(path, expected):
    import duckdb
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.ipc as ipc

    problems = []
    columns = expected["columns"]
    names = [c["name"] for c in columns]
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    connection.execute("SET threads = 1")  # scans keep row order anyway; one thread keeps the check simple
    with pa.memory_map(path) as source:
        table = ipc.open_file(source).read_all()
    for spec in columns:  # DuckDB shows both string storages as VARCHAR: check what it is given
        if spec["name"] in table.column_names and pa.types.is_dictionary(table.schema.field(spec["name"]).type) != bool(spec.get("dictionary")):
            problems.append(f"{spec['name']}: Arrow type {table.schema.field(spec['name']).type}, dictionary expected: {bool(spec.get('dictionary'))}")
    connection.register("part_table", table)
    connection.register("part_dataset", ds.dataset(path, format="ipc"))
    for relation in ("part_table", "part_dataset"):
        described = connection.execute(f"DESCRIBE {relation}").fetchall()
        got_names = [row[0] for row in described]
        if got_names != names:
            problems.append(f"{relation}: names {got_names} != {names}")
            continue
        for spec, row in zip(columns, described):
            if row[1] != DUCKDB_TYPES[spec["type"]]:
                problems.append(f"{relation}: {spec['name']}: type {row[1]} != {DUCKDB_TYPES[spec['type']]}")
        if not columns:
            continue
        select = ", ".join(raw_expression(spec) for spec in columns)
        rows = connection.execute(f"SELECT {select} FROM {relation}").fetchall()
        if len(rows) != expected["rows"]:
            problems.append(f"{relation}: rows {len(rows)} != {expected['rows']}")
            continue
        raw_columns = [[row[i] for row in rows] for i in range(len(columns))]
        compare_columns(relation, names, raw_columns, expected, problems)
        checks = [("count(*)", expected["rows"])] + [pair for spec in columns for pair in aggregates(spec)]
        got = connection.execute(f"SELECT {', '.join(sql for sql, _ in checks)} FROM {relation}").fetchall()[0]
        for (sql, want), value in zip(checks, got):
            if not same_values([value], [want]):
                problems.append(f"{relation}: {sql} = {value!r}, expected {want!r}")
    return problems


def main():
    if len(sys.argv) < 4 or len(sys.argv) % 2 or sys.argv[1] not in ("polars", "duckdb"):
        sys.exit(__doc__)
    engine = sys.argv[1]
    check = check_polars if engine == "polars" else check_duckdb

    def check_known_types(path, expected):
        unknown = [c["type"] for c in expected["columns"] if c["type"] not in TYPES]
        return [f"unknown types in the expectation: {unknown}"] if unknown else check(path, expected)

    run_checks(zip(sys.argv[2::2], sys.argv[3::2]), check_known_types)


if __name__ == "__main__":
    main()
