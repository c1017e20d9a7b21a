#!/usr/bin/env python3
"""Encode the census table into integer codes for `doppel-model-bench census` (benchmark input only).

Categorical columns get one `cat` sub-column (codes in sorted order of the values); integer columns
are split into decimal digits E{k}..E0 (the leading digit's cardinality is its maximum + 1) with a
`nan` sub-column when the column has missing values, like the engine's digit encoding.
Output: one JSON line with the schema, then the codes as little-endian int32, row-major.
"""
import json, struct, sys
import pandas as pd

source, target = sys.argv[1], sys.argv[2]
df = pd.read_csv(source)
columns, blocks = [], []
for name in df.columns:
    s = df[name]
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
        values = s.fillna(0).astype("int64").clip(lower=0)
        digits = max(1, len(str(int(values.max()))))
        subs, codes = [], []
        if s.isna().any():
            subs.append({"name": "nan", "cardinality": 2})
            codes.append(s.isna().astype("int32").to_numpy())
        for k in reversed(range(digits)):
            d = (values // (10 ** k)) % 10
            subs.append({"name": f"E{k}", "cardinality": int(d.max()) + 1 if k == digits - 1 else 10})
            codes.append(d.astype("int32").to_numpy())
    else:
        cats = sorted(s.fillna("<<NULL>>").astype(str).unique())
        index = {c: i for i, c in enumerate(cats)}
        subs = [{"name": "cat", "cardinality": len(cats)}]
        codes = [s.fillna("<<NULL>>").astype(str).map(index).astype("int32").to_numpy()]
    columns.append({"name": name, "subColumns": subs})
    blocks.extend(codes)
rows = len(df)
with open(target, "wb") as f:
    f.write((json.dumps({"columns": columns}) + "\n").encode())
    flat = [int(blocks[j][r]) for r in range(rows) for j in range(len(blocks))]
    f.write(struct.pack(f"<{len(flat)}i", *flat))
print(f"{rows} rows, {len(columns)} columns, {len(blocks)} sub-columns -> {target}")
