"""The pipeline steps with the reference engine's signatures (``mostlyai.engine``), keyword for
keyword: ``split``, ``analyze``, ``encode``, ``train``, ``generate``, ``set_random_state``,
``init_logging``. Each step runs the Doppel engine on ``workspace_dir``; Doppel adds
``parallel_backend`` (``"threads"``, ``"processes"``, ``"sequential"``, ``"dask"``, ``"spark"``) and
``n_jobs`` to every step. ``"dask"`` sends the engine's tasks to the scheduler of the current
``dask.distributed.Client`` (as in ``with Client(...):`` or after ``Client(...)``), ``"spark"`` to
the master of the active ``SparkSession`` (docs/cluster.md).
Arguments Doppel does not support yet raise ``NotImplementedError`` naming them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from . import _data
from ._engine import DoppelArgumentError, run_step
from ._progress import ProgressCallback, StepProgress
from .domain import (DifferentialPrivacyConfig, FairnessConfig, ImputationConfig, ModelEncodingType, ModelStateStrategy, ModelType,
                     RareCategoryReplacementMethod, RebalancingConfig)

_random_state: int | None = None

BACKENDS = ("threads", "processes", "sequential", "dask", "spark")


def set_random_state(random_state: int | None = None, worker: bool = False) -> None:
    """Seeds every following step: the same seed gives byte-identical workspaces and output.
    ``None`` draws a new 32-bit seed (``worker`` exists for compatibility; the engine needs no
    re-seeding of worker processes)."""
    global _random_state
    _random_state = int.from_bytes(os.urandom(4), "little") if random_state is None else int(random_state)
    if _random_state < 0:
        raise DoppelArgumentError("random_state must be ≥ 0")


def _seed() -> int:
    return _random_state if _random_state is not None else int.from_bytes(os.urandom(4), "little")


def init_logging() -> None:
    """Engine messages at INFO on standard output, in the reference's format."""
    logger = logging.getLogger("doppel")
    if not any(getattr(h, "_doppel", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)-7s: %(message)s"))
        handler._doppel = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _unsupported(**arguments: Any) -> None:
    """NotImplementedError naming every argument that is set to something Doppel cannot do yet."""
    names = [name for name, value in arguments.items() if value]
    if names:
        raise NotImplementedError(f"not supported by Doppel yet: {', '.join(names)}")


def _executor(parallel_backend: str | None, n_jobs: int | None) -> list[str]:
    arguments = []
    if parallel_backend is not None:
        if parallel_backend not in BACKENDS:
            raise DoppelArgumentError(f"parallel_backend must be one of {', '.join(BACKENDS)}, got {parallel_backend!r}")
        arguments += ["--backend", parallel_backend] + _cluster(parallel_backend)
    if n_jobs is not None:
        if int(n_jobs) < 0:
            raise DoppelArgumentError("n_jobs must be ≥ 0 (0: one worker per core)")
        arguments += ["--jobs", str(int(n_jobs))]
    return arguments


def _cluster(parallel_backend: str) -> list[str]:
    """The cluster options for the engine: the current Dask client's scheduler or the active Spark
    session's master, and this interpreter (which has Dask or PySpark) for the engine's adapter."""
    if parallel_backend == "dask":
        try:
            from distributed import get_client
        except ImportError:
            raise DoppelArgumentError("parallel_backend='dask' needs dask[distributed]: pip install 'dask[distributed]'") from None
        try:
            client = get_client()
        except ValueError:
            raise DoppelArgumentError("parallel_backend='dask' needs a dask.distributed Client: "
                                      "call the step inside `with Client(address):`") from None
        return ["--scheduler", client.scheduler.address, "--python", sys.executable]
    if parallel_backend == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise DoppelArgumentError("parallel_backend='spark' needs pyspark: pip install pyspark") from None
        session = SparkSession.getActiveSession()
        if session is None:
            raise DoppelArgumentError("parallel_backend='spark' needs an active SparkSession (SparkSession.builder...getOrCreate())")
        return ["--master", session.sparkContext.master, "--python", sys.executable]
    return []


def _workspace(workspace_dir: str | Path) -> Path:
    return Path(workspace_dir if workspace_dir is not None else "engine-ws")


def _python_folder(workspace: Path) -> Path:
    return workspace / "python"


def _run(step: str, arguments: list[str], update_progress: ProgressCallback | None) -> str:
    with StepProgress(step, update_progress) as progress:
        return run_step(step, arguments, on_event=progress)


def _encoding_types(types: dict | None, where: str) -> dict:
    result = {}
    for column, value in (types or {}).items():
        name = str(ModelEncodingType(value)) if not isinstance(value, ModelEncodingType) else str(value)
        if name == "AUTO":
            continue
        if name.startswith("LANGUAGE_"):
            raise NotImplementedError(f"{where}[{column!r}] = {name}: language models are not supported by Doppel")
        result[str(column)] = name
    return result


def split(tgt_data: Any, *, ctx_data: Any = None, tgt_primary_key: str | None = None, ctx_primary_key: str | None = None,
          tgt_context_key: str | None = None, model_type: str | ModelType | None = None, tgt_encoding_types: dict | None = None,
          ctx_encoding_types: dict | None = None, n_partitions: int = 1, trn_val_split: float | Callable | None = 0.8,
          workspace_dir: str | Path = "engine-ws", update_progress: ProgressCallback | None = None,
          parallel_backend: str | None = None, n_jobs: int | None = None) -> None:
    """Splits the data into training and validation partitions of ``workspace_dir`` (by subject)."""
    if callable(trn_val_split):
        raise NotImplementedError("not supported by Doppel yet: trn_val_split as a function (give the training fraction)")
    if model_type is not None and str(ModelType(model_type)) != "TABULAR":
        raise NotImplementedError(f"not supported by Doppel yet: model_type={model_type}")
    fraction = 0.8 if trn_val_split is None else float(trn_val_split)
    if not 0 < fraction <= 1:
        raise DoppelArgumentError(f"trn_val_split must be in (0, 1], got {trn_val_split}")
    if ctx_data is not None and not tgt_context_key:
        raise DoppelArgumentError("ctx_data needs tgt_context_key (the target column naming each row's subject)")
    workspace = _workspace(workspace_dir)
    folder = _python_folder(workspace)
    with tempfile.TemporaryDirectory(prefix="doppel-input-") as scratch:
        target_path, schema, notes = _data.engine_input(tgt_data, Path(scratch), "tgt")
        arguments = ["--data", target_path, "--workspace", str(workspace), "--partitions", str(int(n_partitions)),
                     "--val-fraction", repr(1 - fraction), "--seed", str(_seed())]
        if tgt_primary_key:
            arguments += ["--primary-key", tgt_primary_key]
        if tgt_context_key:
            arguments += ["--context-key", tgt_context_key]
        context = None
        if ctx_data is not None:
            context = _data.engine_input(ctx_data, Path(scratch), "ctx")
            arguments += ["--context", context[0]]
            if ctx_primary_key:
                arguments += ["--context-primary-key", ctx_primary_key]
        types = {"target": _encoding_types(tgt_encoding_types, "tgt_encoding_types"),
                 "context": _encoding_types(ctx_encoding_types, "ctx_encoding_types")}
        if types["target"] or types["context"]:
            types_file = Path(scratch) / "encoding-types.json"
            types_file.write_text(json.dumps(types))
            arguments += ["--encoding-types", str(types_file)]
        backend = parallel_backend
        local_inputs = (_data.kind_of(tgt_data) != "path" or (ctx_data is not None and _data.kind_of(ctx_data) != "path")
                        or "--encoding-types" in arguments)
        if backend in ("dask", "spark") and local_inputs:
            # The data went to a scratch file on this machine, which the cluster's workers cannot
            # read: split here (analyze, encode and generate still use the cluster).
            backend = None
        _run("split", arguments + _executor(backend, n_jobs), update_progress)
    _data.save_schema(folder, "tgt", _data.kind_of(tgt_data), schema, notes)
    if context is not None:
        _data.save_schema(folder, "ctx", _data.kind_of(ctx_data), context[1], context[2])
    elif (folder / "ctx.json").exists():
        (folder / "ctx.json").unlink()


def analyze(*, value_protection: bool = True, differential_privacy: DifferentialPrivacyConfig | dict | None = None,
            workspace_dir: str | Path = "engine-ws", update_progress: ProgressCallback | None = None,
            parallel_backend: str | None = None, n_jobs: int | None = None) -> None:
    """Column statistics (with value protection) in ``ModelStore/*-stats/stats.json``."""
    arguments = ["--workspace", str(_workspace(workspace_dir)), "--value-protection", "on" if value_protection else "off",
                 "--seed", str(_seed())]
    dp = DifferentialPrivacyConfig.coerce(differential_privacy)
    if dp is not None and dp.value_protection_epsilon is not None and value_protection:
        arguments += ["--dp-epsilon", repr(float(dp.value_protection_epsilon))]
    _run("analyze", arguments + _executor(parallel_backend, n_jobs), update_progress)


def encode(*, workspace_dir: str | Path = "engine-ws", update_progress: ProgressCallback | None = None,
           parallel_backend: str | None = None, n_jobs: int | None = None) -> None:
    """Encodes the partitions into model codes (``OriginalData/encoded-data``)."""
    arguments = ["--workspace", str(_workspace(workspace_dir)), "--seed", str(_seed())]
    _run("encode", arguments + _executor(parallel_backend, n_jobs), update_progress)


MODEL_SIZES = {"MOSTLY_AI/Small": "S", "MOSTLY_AI/Medium": "M", "MOSTLY_AI/Large": "L", "S": "S", "M": "M", "L": "L"}


def train(*, model: str | None = None, max_training_time: float | None = 14400.0, max_epochs: float | None = 100.0,
          batch_size: int | None = None, gradient_accumulation_steps: int | None = None, enable_flexible_generation: bool = True,
          max_sequence_window: int | None = None, differential_privacy: DifferentialPrivacyConfig | dict | None = None,
          model_state_strategy: ModelStateStrategy | str = ModelStateStrategy.reset, device: str | None = None,
          workspace_dir: str | Path = "engine-ws", update_progress: ProgressCallback | None = None,
          upload_model_data_callback: Callable | None = None, parallel_backend: str | None = None,
          n_jobs: int | None = None) -> None:
    """Trains the model (``ModelStore/model-data``). ``max_training_time`` is in minutes; as in the
    reference, 0 or ``None`` mean the defaults. ``update_progress`` returning
    ``{"stopExecution": True}`` stops after the current step with the best model kept."""
    strategy = ModelStateStrategy(str(model_state_strategy).upper()) if not isinstance(model_state_strategy, ModelStateStrategy) else model_state_strategy
    _unsupported(gradient_accumulation_steps=gradient_accumulation_steps not in (None, 1),
                 enable_flexible_generation=not enable_flexible_generation,
                 max_sequence_window=max_sequence_window is not None,
                 upload_model_data_callback=upload_model_data_callback is not None,
                 model_state_strategy=strategy == ModelStateStrategy.reuse,
                 device=device not in (None, "cpu"))
    size = MODEL_SIZES.get(model or "MOSTLY_AI/Medium")
    if size is None:
        raise DoppelArgumentError(f"model must be one of {', '.join(MODEL_SIZES)}, got {model!r}")
    epochs = float(max_epochs or 100.0)
    if epochs != int(epochs) or epochs < 1:
        raise NotImplementedError(f"not supported by Doppel yet: max_epochs={max_epochs} (a whole number of epochs ≥ 1)")
    minutes = float(max_training_time or 14400.0)
    arguments = ["--workspace", str(_workspace(workspace_dir)), "--model", size, "--max-epochs", str(int(epochs)),
                 "--max-time", repr(minutes), "--seed", str(_seed())]
    if batch_size is not None:
        arguments += ["--batch-size", str(int(batch_size))]
    if strategy == ModelStateStrategy.resume:
        arguments.append("--resume")
    dp = DifferentialPrivacyConfig.coerce(differential_privacy)
    if dp is not None:
        arguments += ["--max-epsilon", repr(float(dp.max_epsilon if dp.max_epsilon is not None else 1e9)), "--delta", repr(float(dp.delta)),
                      "--noise-multiplier", "auto" if dp.noise_multiplier is None else repr(float(dp.noise_multiplier)),
                      "--max-grad-norm", repr(float(dp.max_grad_norm))]
    _run("train", arguments + _executor(parallel_backend, n_jobs), update_progress)


def generate(*, ctx_data: Any = None, seed_data: Any = None, sample_size: int | None = None, batch_size: int | None = None,
             sampling_temperature: float = 1.0, sampling_top_p: float = 1.0, device: str | None = None,
             rare_category_replacement_method: RareCategoryReplacementMethod | str = RareCategoryReplacementMethod.constant,
             rebalancing: Any = None, imputation: Any = None, fairness: Any = None, workspace_dir: str | Path = "engine-ws",
             update_progress: ProgressCallback | None = None, output: str | Path | None = None,
             parallel_backend: str | None = None, n_jobs: int | None = None):
    """Generates synthetic data. Without ``output`` the table is returned, memory-mapped from the
    engine's Arrow IPC output (``python/synthetic.arrow`` in the workspace), in the kind and
    column types of the training data (pandas, polars or pyarrow), and also written to
    ``SyntheticData/synthetic.parquet`` (the reference's layout, so
    ``pd.read_parquet(ws / "SyntheticData")`` reads it). With ``output`` (.csv, .parquet, .arrow)
    it is written there only and ``None`` is returned. Sequential data: the target table; a
    generated context table goes to ``SyntheticContextData/synthetic.parquet`` (or beside
    ``output``, named ``*-context``)."""
    workspace = _workspace(workspace_dir)
    target = Path(output) if output is not None else _python_folder(workspace) / "synthetic.arrow"
    context = None if output is not None else _python_folder(workspace) / "synthetic-context.arrow"
    if context is not None and context.exists():
        context.unlink()  # only this run's context table may be picked up below
    run_generate(workspace, target, context, ctx_data=ctx_data, seed_data=seed_data, sample_size=sample_size,
                 batch_size=batch_size, sampling_temperature=sampling_temperature, sampling_top_p=sampling_top_p,
                 device=device, rare_category_replacement_method=rare_category_replacement_method, rebalancing=rebalancing,
                 imputation=imputation, fairness=fairness, update_progress=update_progress,
                 parallel_backend=parallel_backend, n_jobs=n_jobs)
    if output is not None:
        return None
    table = _data.read_output(target)
    _reference_layout(table, workspace / "SyntheticData" / "synthetic.parquet")
    if context.exists():
        _reference_layout(_data.read_output(context), workspace / "SyntheticContextData" / "synthetic.parquet")
    return typed_output(workspace, table)


def _reference_layout(table, path: Path) -> None:
    """``table`` (memory-mapped) as Parquet at ``path``, replacing what an earlier run left there."""
    import pyarrow.parquet as pq
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("*.parquet"):
        old.unlink()
    pq.write_table(table, path)


def _constraints(imputation: ImputationConfig | None, rebalancing: RebalancingConfig | None,
                 fairness: FairnessConfig | None = None) -> list[str]:
    """``--impute``, ``--rebalance`` and ``--fairness-target``/``--sensitive`` for the reference's
    imputation, rebalancing and fairness configurations."""
    arguments = []
    if imputation is not None and imputation.columns:
        names = [str(c) for c in imputation.columns]
        if any("," in n for n in names):
            raise DoppelArgumentError(f"imputation: column names with a comma cannot be passed to the engine: {names}")
        arguments += ["--impute", ",".join(names)]
    if rebalancing is not None and rebalancing.probabilities:
        items = [(str(v), float(p)) for v, p in rebalancing.probabilities.items()]
        if any("," in v for v, _ in items) or "=" in rebalancing.column:
            raise DoppelArgumentError("rebalancing: values with a comma (or a column name with '=') cannot be passed to the engine")
        arguments += ["--rebalance", f"{rebalancing.column}=" + ",".join(f"{v}:{p!r}" for v, p in items)]
    if fairness is not None:
        sensitive = [str(c) for c in fairness.sensitive_columns]
        if any("," in c for c in sensitive):
            raise DoppelArgumentError(f"fairness: sensitive column names with a comma cannot be passed to the engine: {sensitive}")
        arguments += ["--fairness-target", str(fairness.target_column), "--sensitive", ",".join(sensitive)]
    return arguments


def typed_output(workspace: Path, table):
    """``table`` in the kind and column types of the data the workspace was split from."""
    kind, schema, notes = _data.load_schema(_python_folder(workspace), "tgt")
    return _data.as_kind(table, kind, schema, notes)


def run_generate(workspace: Path, target: Path, context: Path | None, *, ctx_data: Any, seed_data: Any, sample_size: int | None,
                 batch_size: int | None, sampling_temperature: float, sampling_top_p: float, device: str | None,
                 rare_category_replacement_method: Any, rebalancing: Any, imputation: Any, fairness: Any,
                 update_progress: ProgressCallback | None, parallel_backend: str | None, n_jobs: int | None,
                 impute_draws: int = 1, impute_aggregate: str = "mode") -> None:
    """``doppel generate`` into ``target`` (and a generated context table into ``context``)."""
    _unsupported(batch_size=batch_size is not None, device=device not in (None, "cpu"))
    method = RareCategoryReplacementMethod(str(rare_category_replacement_method).upper())
    arguments = ["--workspace", str(workspace), "--output", str(target), "--force", "--seed", str(_seed()),
                 "--temperature", repr(float(sampling_temperature)), "--top-p", repr(float(sampling_top_p)),
                 "--rare-category-replacement", method.value.lower()]
    if context is not None:
        arguments += ["--context-output", str(context)]  # the engine creates its folder when it writes one
    if sample_size is not None:
        arguments += ["--rows", str(int(sample_size))]
    arguments += _constraints(ImputationConfig.coerce(imputation), RebalancingConfig.coerce(rebalancing), FairnessConfig.coerce(fairness))
    if impute_draws != 1:
        arguments += ["--impute-draws", str(int(impute_draws)), "--aggregate", impute_aggregate]
    with tempfile.TemporaryDirectory(prefix="doppel-input-") as scratch:
        if seed_data is not None:
            arguments += ["--seed-data", _data.engine_input(seed_data, Path(scratch), "seed")[0]]
        if ctx_data is not None:
            arguments += ["--context", _data.engine_input(ctx_data, Path(scratch), "ctx")[0]]
        target.parent.mkdir(parents=True, exist_ok=True)
        _run("generate", arguments + _executor(parallel_backend, n_jobs), update_progress)
    if parallel_backend in ("dask", "spark"):
        _join_parts(target)


def _join_parts(target: Path) -> None:
    """A cluster backend writes one part file per task (``NAME.part-00000-of-00004.EXT``, in
    order); joins them into ``target`` (the table comes back to Python anyway) and removes them."""
    name, dot, extension = target.name.partition(".")
    parts = sorted(target.parent.glob(f"{name}.part-*-of-*{dot}{extension}"))
    if not parts:
        return
    partial = target.with_name(target.name + ".joining")
    if extension == "csv":
        with open(partial, "wb") as sink:
            for index, part in enumerate(parts):
                with open(part, "rb") as source:
                    header = source.readline()
                    if index == 0:
                        sink.write(header)
                    sink.write(source.read())
    else:
        import pyarrow as pa
        if extension == "parquet":
            import pyarrow.parquet as pq
            pq.write_table(pa.concat_tables([pq.read_table(part) for part in parts]), partial)
        else:
            import pyarrow.ipc as ipc
            tables = [ipc.open_file(part).read_all() for part in parts]
            with ipc.new_file(partial, tables[0].schema) as writer:
                for table in tables:
                    writer.write_table(table)
    os.replace(partial, target)
    for part in parts:
        part.unlink()
