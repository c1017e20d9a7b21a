"""A scikit-learn-style estimator over the pipeline (the reference's ``TabularARGN``)."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from . import _api, _data
from ._progress import ProgressCallback


class TabularARGN:
    """``fit`` runs split, analyze, encode and train in ``workspace_dir`` (a temporary folder, removed
    with the estimator, when none is given); ``sample`` generates. Sequential data: give
    ``tgt_context_key`` (and ``ctx_data`` with ``ctx_primary_key``). ``verbose=0`` shows no
    progress, ``1`` a progress bar (when tqdm is installed). ``random_state`` makes fit and sample
    reproducible."""

    def __init__(self, model: str | None = None, max_training_time: float | None = 14400.0, max_epochs: float | None = 100.0,
                 batch_size: int | None = None, gradient_accumulation_steps: int | None = None,
                 enable_flexible_generation: bool = True, max_sequence_window: int | None = None, value_protection: bool = True,
                 differential_privacy: Any = None, tgt_context_key: str | None = None, tgt_primary_key: str | None = None,
                 tgt_encoding_types: dict | None = None, ctx_data: Any = None, ctx_primary_key: str | None = None,
                 ctx_encoding_types: dict | None = None, device: str | None = None, workspace_dir: str | Path | None = None,
                 random_state: int | None = None, verbose: int = 0, parallel_backend: str | None = None,
                 n_jobs: int | None = None):
        self.model = model
        self.max_training_time = max_training_time
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.enable_flexible_generation = enable_flexible_generation
        self.max_sequence_window = max_sequence_window
        self.value_protection = value_protection
        self.differential_privacy = differential_privacy
        self.tgt_context_key = tgt_context_key
        self.tgt_primary_key = tgt_primary_key
        self.tgt_encoding_types = tgt_encoding_types
        self.ctx_data = ctx_data
        self.ctx_primary_key = ctx_primary_key
        self.ctx_encoding_types = ctx_encoding_types
        self.device = device
        self.workspace_dir = workspace_dir
        self.random_state = random_state
        self.verbose = verbose
        self.parallel_backend = parallel_backend
        self.n_jobs = n_jobs
        self._workspace: Path | None = None
        self._fitted = False

    def _progress(self) -> ProgressCallback | None:
        return None if self.verbose else (lambda **_: None)

    def _seed(self) -> None:
        if self.random_state is not None:
            _api.set_random_state(self.random_state)

    def _executor(self) -> dict:
        return {"parallel_backend": self.parallel_backend, "n_jobs": self.n_jobs}

    def fit(self, X: Any, y: Any = None) -> "TabularARGN":
        """Learns the table ``X`` (with ``y`` appended as a column, named after it or ``target``)."""
        if y is not None:
            X = _with_target(X, y)
        if self.workspace_dir is not None:
            self._workspace = Path(self.workspace_dir)
        else:
            self._workspace = Path(tempfile.mkdtemp(prefix="doppel-argn-"))
            weakref.finalize(self, shutil.rmtree, str(self._workspace), True)
        self._seed()
        progress = self._progress()
        common = {"workspace_dir": self._workspace, "update_progress": progress, **self._executor()}
        _api.split(X, ctx_data=self.ctx_data, tgt_primary_key=self.tgt_primary_key, ctx_primary_key=self.ctx_primary_key,
                   tgt_context_key=self.tgt_context_key, tgt_encoding_types=self.tgt_encoding_types,
                   ctx_encoding_types=self.ctx_encoding_types, **common)
        _api.analyze(value_protection=self.value_protection, differential_privacy=self.differential_privacy, **common)
        _api.encode(**common)
        _api.train(model=self.model, max_training_time=self.max_training_time, max_epochs=self.max_epochs,
                   batch_size=self.batch_size, gradient_accumulation_steps=self.gradient_accumulation_steps,
                   enable_flexible_generation=self.enable_flexible_generation, max_sequence_window=self.max_sequence_window,
                   differential_privacy=self.differential_privacy, device=self.device, **common)
        self._fitted = True
        return self

    def sample(self, n_samples: int | None = None, seed_data: Any = None, ctx_data: Any = None, batch_size: int | None = None,
               sampling_temperature: float = 1.0, sampling_top_p: float = 1.0, device: str | None = None,
               rare_category_replacement_method: str = "CONSTANT", rebalancing: Any = None, imputation: Any = None,
               fairness: Any = None):
        """Synthetic rows (flat) or sequences (sequential: ``n_samples`` new subjects with their
        context generated; ``ctx_data``: one sequence per given subject), in the kind of the
        training data."""
        self._check_fitted()
        self._seed()
        # The sample as an Arrow IPC file in the workspace, memory-mapped back (no copy).
        target = self._workspace / "python" / "sample.arrow"
        _api.run_generate(self._workspace, target, self._workspace / "python" / "sample-context.arrow", ctx_data=ctx_data,
                          seed_data=seed_data, sample_size=n_samples, batch_size=batch_size,
                          sampling_temperature=sampling_temperature, sampling_top_p=sampling_top_p, device=device,
                          rare_category_replacement_method=rare_category_replacement_method, rebalancing=rebalancing,
                          imputation=imputation, fairness=fairness, update_progress=self._progress(), **self._executor())
        return _api.typed_output(self._workspace, _data.read_output(target))

    def predict(self, X: Any, target: Any = None, n_draws: int = 1, agg_fn: Any = "auto"):
        """``target`` predicted from the other columns of ``X``: the most likely value of a
        categorical or discrete column, else a value drawn from the model given the row."""
        if n_draws != 1:
            raise NotImplementedError("not supported by Doppel yet: TabularARGN.predict with n_draws > 1 (aggregated draws)")
        table = self._score("predict", X, ["--target", _target_name(target)])
        return _first_column(table)

    def predict_proba(self, X: Any, target: Any = None):
        """The probability of every value of the categorical or discrete column ``target`` given
        the other columns of ``X``: one column per value."""
        table = self._score("predict", X, ["--target", _target_name(target), "--proba"])
        return table.to_pandas() if _data._pandas() is not None else table

    def log_prob(self, X: Any, ctx_data: Any = None):
        """The log-likelihood of each row of ``X`` in nats (columns in the training data's order,
        each given the ones before it). Sequential models: ``X`` holds the events and
        ``ctx_data`` (default: the context the model was fitted with) the subjects; one value per
        subject, ln p(context) + ln p(events | context), in ``ctx_data``'s row order. ``predict``
        and ``predict_proba`` of a sequential model predict a column of the context rows ``X``."""
        if self.tgt_context_key is None:
            if ctx_data is not None:
                raise ValueError("ctx_data goes with a sequential model (fitted with tgt_context_key)")
            return self._score("log-prob", X, []).column("log_prob").to_numpy()
        context = self.ctx_data if ctx_data is None else ctx_data
        if context is None:
            raise ValueError("log_prob of a sequential model needs ctx_data: the subjects of the events in X")
        return self._score("log-prob", X, [], context=context).column("log_prob").to_numpy()

    def _score(self, command: str, X: Any, arguments: list, context: Any = None):
        self._check_fitted()
        import tempfile as _tempfile
        from ._engine import run_step
        with _tempfile.TemporaryDirectory(prefix="doppel-score-") as scratch:
            data = _data.engine_input(X, Path(scratch), "rows")[0]
            if context is not None:
                arguments = arguments + ["--context", _data.engine_input(context, Path(scratch), "context")[0]]
            output = Path(scratch) / "out.arrow"
            run_step(command, ["--workspace", str(self._workspace), "--data", data, "--output", str(output), "--quiet",
                               *arguments, *_api._executor(self.parallel_backend, self.n_jobs)])
            return _data.read_output(output).combine_chunks()  # a copy: the scratch folder goes away

    def impute(self, X: Any, n_draws: int = 1, agg_fn: Any = "mode"):
        """``X`` with its missing values filled from the model given the rest of each row (every
        present value kept); with ``n_draws`` > 1 each cell is the ``agg_fn`` of that many draws:
        ``"mode"``, or ``"mean"`` / ``"median"`` for numbers, dates and times."""
        if agg_fn not in ("mode", "mean", "median"):
            raise NotImplementedError(f"not supported by Doppel yet: agg_fn={agg_fn!r} (use 'mode', 'mean' or 'median')")
        if int(n_draws) < 1:
            raise ValueError("n_draws must be ≥ 1")
        self._check_fitted()
        self._seed()
        columns = _columns_with_missing(X)
        if not columns:
            return X
        target = self._workspace / "python" / "impute.arrow"
        _api.run_generate(self._workspace, target, None, ctx_data=None, seed_data=X, sample_size=None, batch_size=None,
                          sampling_temperature=1.0, sampling_top_p=1.0, device=None, rare_category_replacement_method="CONSTANT",
                          rebalancing=None, imputation={"columns": columns}, fairness=None, update_progress=self._progress(),
                          impute_draws=int(n_draws), impute_aggregate=agg_fn, **self._executor())
        return _api.typed_output(self._workspace, _data.read_output(target))

    def _check_fitted(self) -> None:
        if not self._fitted or self._workspace is None:
            raise RuntimeError("call fit() before sample()")

    @property
    def workspace(self) -> Path | None:
        """The workspace folder of the fitted model."""
        return self._workspace


def _target_name(target: Any) -> str:
    if target is None:
        raise ValueError("name the column to predict: target=...")
    if isinstance(target, (list, tuple)):
        if len(target) != 1:
            raise NotImplementedError("not supported by Doppel yet: several targets at once")
        target = target[0]
    return str(target)


def _first_column(table):
    pd = _data._pandas()
    column = table.column(0)
    return pd.Series(column.to_pandas(), name=table.column_names[0]) if pd is not None else column


def _columns_with_missing(X: Any) -> list[str]:
    kind = _data.kind_of(X)
    if kind == "pandas":
        counts = X.isna().sum()
        return [str(c) for c in counts.index if counts[c] > 0]
    if kind == "polars":
        return [c for c in X.columns if X[c].null_count() > 0]
    if kind == "arrow":
        return [name for name in X.column_names if X.column(name).null_count > 0]
    raise TypeError("impute needs the rows in memory (a pandas or polars DataFrame or a pyarrow Table), not a file path")


def _with_target(X: Any, y: Any):
    import pandas as pd
    name = getattr(y, "name", None) or "target"
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    return frame.assign(**{str(name): pd.Series(y, index=frame.index) if not isinstance(y, pd.Series) else y.values})
