"""The example notebook runs: its code cells, in order, in one namespace (no Jupyter needed)."""

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "sequential.ipynb"


def test_sequential_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOPPEL_EXAMPLES", str(Path(__file__).resolve().parents[2] / "examples"))
    monkeypatch.setenv("DOPPEL_NOTEBOOK_MINUTES", "0.1")
    namespace: dict = {}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)
    synthetic = namespace["syn_tgt"]
    assert len(synthetic) > 0
    assert list(synthetic.dtypes) == list(namespace["tgt_df"].dtypes)
