"""The dask and spark backends on real clusters: a Dask scheduler with two worker processes and
a PySpark ``local[2]`` session, all on 127.0.0.1. For census (from ../shared/data) and the bundled
baseball example, analyze, encode and generate on the cluster give the same bytes as ``threads``;
a worker killed during analyze changes nothing; a broken partition fails with its file's name;
a one-worker cluster runs everything (nested calls run inline in the task); an unreachable
scheduler and a worker of another version fail clearly. Skipped, by name, without Dask or
PySpark and Java."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from doppel._engine import binary_path

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES = REPOSITORY / "examples"
CENSUS = REPOSITORY.parent / "shared" / "data" / "census.csv.gz"
ENGINE = binary_path()


def doppel(*arguments, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([ENGINE, *map(str, arguments)], capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"doppel {' '.join(map(str, arguments))}: {done.stderr}"
    return done


def split(example: str, workspace: Path) -> None:
    if example == "census":
        if not CENSUS.exists():
            pytest.skip("census skipped: ../shared/data/census.csv.gz is missing")
        doppel("split", "--data", CENSUS, "--workspace", workspace, "--seed", 1, "--quiet")
    else:
        doppel("split", "--data", EXAMPLES / "baseball-batting.csv", "--context", EXAMPLES / "baseball-players.csv",
               "--context-key", "players_id", "--context-primary-key", "id", "--workspace", workspace, "--seed", 1, "--quiet")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def joined_csv(output: Path) -> bytes:
    parts = sorted(output.parent.glob(f"{output.stem}.part-*-of-*{output.suffix}"))
    assert len(parts) >= 2, f"expected several parts, found {parts}"
    lines = [parts[0].read_bytes()] + [p.read_bytes().split(b"\n", 1)[1] for p in parts[1:]]
    return b"".join(lines)


def same_pipeline(example: str, tmp: Path, cluster: list[str]) -> None:
    """analyze, encode and generate with ``threads`` and on the cluster: identical bytes."""
    local, remote = tmp / "local", tmp / "remote"
    split(example, local)
    shutil.copytree(local, remote)
    for step in ("analyze", "encode"):
        doppel(step, "--workspace", local, "--quiet")
        doppel(step, "--workspace", remote, "--quiet", *cluster)
    assert files(local / "ModelStore" / "tgt-stats") == files(remote / "ModelStore" / "tgt-stats")
    assert files(local / "OriginalData" / "encoded-data") == files(remote / "OriginalData" / "encoded-data")
    doppel("train", "--workspace", local, "--model", "S", "--max-epochs", 1, "--quiet")
    rows, chunk = (3000, 1024) if example == "baseball" else (2000, 700)
    one, many = tmp / "one.csv", tmp / "many.csv"
    common = ["--workspace", local, "--seed", 5, "--rows", rows, "--chunk-size", chunk, "--quiet"]
    doppel("generate", *common, "--output", one)
    doppel("generate", *common, "--output", many, "--parts", 3, *cluster)
    assert joined_csv(many) == one.read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped by PID."""

    def __init__(self, workers: int, folder: Path):
        pytest.importorskip("distributed", reason="Dask cluster tests skipped: dask[distributed] is not installed")
        from distributed import Client
        dask = str(Path(sys.executable).parent / "dask")
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
        self.processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard",
                                            "--dashboard-address", "127.0.0.1:0"], **quiet)]
        self.processes.append(subprocess.Popen([dask, "worker", self.address, "--host", "127.0.0.1", "--nworkers", str(workers),
                                                "--nthreads", "1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                                "--local-directory", str(folder)], **quiet))
        self.client = Client(self.address, timeout=60)
        self.client.wait_for_workers(workers, timeout=60)

    def stop(self):
        self.client.close()
        for process in reversed(self.processes):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    cluster = DaskCluster(2, tmp_path_factory.mktemp("dask-workers"))
    yield cluster
    cluster.stop()


def dask_options(cluster: DaskCluster) -> list[str]:
    return ["--backend", "dask", "--scheduler", cluster.address, "--python", sys.executable]


@pytest.mark.parametrize("example", ["census", "baseball"])
def test_dask_gives_the_bytes_of_threads(dask_cluster, tmp_path, example):
    same_pipeline(example, tmp_path, dask_options(dask_cluster))


@pytest.mark.parametrize("example", ["census", "baseball"])
def test_dask_split_gives_the_bytes_of_threads(dask_cluster, tmp_path, example):
    local, remote = tmp_path / "local", tmp_path / "remote"
    split(example, local)
    arguments = (["--data", CENSUS] if example == "census" else
                 ["--data", EXAMPLES / "baseball-batting.csv", "--context", EXAMPLES / "baseball-players.csv",
                  "--context-key", "players_id", "--context-primary-key", "id"])
    done = doppel("split", *arguments, "--workspace", remote, "--seed", 1, *dask_options(dask_cluster))
    assert "subjects" in done.stdout, done.stdout  # the worker's summary comes back
    assert files(local / "OriginalData") == files(remote / "OriginalData")


def test_dask_worker_killed_during_analyze(dask_cluster, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "remote"
    split("census", local)
    shutil.copytree(local, remote)
    doppel("analyze", "--workspace", local, "--quiet")
    pids = dask_cluster.client.run(os.getpid)
    killed = []

    def kill_a_busy_worker():
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            busy = [address for address, tasks in dask_cluster.client.processing().items() if tasks]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    doppel("analyze", "--workspace", remote, "--quiet", *dask_options(dask_cluster))
    killer.join()
    assert killed, "no worker was busy long enough to be killed"
    assert files(local / "ModelStore" / "tgt-stats") == files(remote / "ModelStore" / "tgt-stats")
    dask_cluster.client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def test_dask_failing_partition_names_its_file(dask_cluster, tmp_path):
    split("census", tmp_path / "ws")
    partition = sorted((tmp_path / "ws" / "OriginalData" / "tgt-data").glob("*.arrow"))[0]
    partition.write_bytes(partition.read_bytes()[:1000])
    done = doppel("analyze", "--workspace", tmp_path / "ws", *dask_options(dask_cluster), check=False)
    assert done.returncode != 0
    assert partition.name in done.stderr, done.stderr


def test_dask_worker_of_another_version_is_refused(dask_cluster, tmp_path):
    split("census", tmp_path / "ws")
    impostor = tmp_path / "doppel-other"
    impostor.write_text(f"#!/bin/sh\nDOPPEL_DRIVER_VERSION=0.0.0-other exec {ENGINE} \"$@\"\n")
    impostor.chmod(impostor.stat().st_mode | stat.S_IEXEC)
    done = doppel("analyze", "--workspace", tmp_path / "ws", *dask_options(dask_cluster), "--worker-binary", impostor, check=False)
    assert done.returncode != 0
    assert "install the same version on every worker" in done.stderr, done.stderr


def test_dask_ships_the_binary(dask_cluster, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "remote"
    split("baseball", local)
    shutil.copytree(local, remote)
    doppel("analyze", "--workspace", local, "--quiet")
    doppel("analyze", "--workspace", remote, "--quiet", *dask_options(dask_cluster), "--ship-binary")
    assert files(local / "ModelStore") == files(remote / "ModelStore")


def test_dask_one_worker_runs_nested_calls(tmp_path):
    cluster = DaskCluster(1, tmp_path / "one-worker")
    try:
        local, remote = tmp_path / "local", tmp_path / "remote"
        split("baseball", local)
        shutil.copytree(local, remote)
        for step in ("analyze", "encode"):
            doppel(step, "--workspace", local, "--quiet")
            doppel(step, "--workspace", remote, "--quiet", *dask_options(cluster))
        assert files(local / "OriginalData" / "encoded-data") == files(remote / "OriginalData" / "encoded-data")
    finally:
        cluster.stop()


def test_dask_unreachable_scheduler_fails_within_seconds(tmp_path):
    pytest.importorskip("distributed", reason="Dask cluster tests skipped: dask[distributed] is not installed")
    split("baseball", tmp_path / "ws")
    started = time.time()
    done = doppel("analyze", "--workspace", tmp_path / "ws", "--backend", "dask", "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                  "--python", sys.executable, check=False)
    assert done.returncode != 0
    assert "cannot reach the Dask scheduler" in done.stderr, done.stderr
    assert time.time() - started < 30


def test_python_api_inside_a_dask_client(dask_cluster, tmp_path, titanic_path):
    import doppel as engine
    from distributed import Client
    engine.set_random_state(3)
    engine.split(titanic_path, workspace_dir=tmp_path / "local")
    engine.analyze(workspace_dir=tmp_path / "local")
    engine.encode(workspace_dir=tmp_path / "local")
    with Client(dask_cluster.address):
        engine.set_random_state(3)
        engine.split(titanic_path, workspace_dir=tmp_path / "remote", parallel_backend="dask")
        engine.analyze(workspace_dir=tmp_path / "remote", parallel_backend="dask")
        engine.encode(workspace_dir=tmp_path / "remote", parallel_backend="dask")
    assert files(tmp_path / "local" / "OriginalData") == files(tmp_path / "remote" / "OriginalData")
    engine.train(workspace_dir=tmp_path / "local", model="MOSTLY_AI/Small", max_epochs=1)
    engine.set_random_state(4)
    expected = engine.generate(workspace_dir=tmp_path / "local", sample_size=500)
    engine.set_random_state(4)
    with Client(dask_cluster.address):
        got = engine.generate(workspace_dir=tmp_path / "local", sample_size=500, parallel_backend="dask")
    assert got.equals(expected)


def spark_options() -> list[str]:
    pytest.importorskip("pyspark", reason="Spark tests skipped: pyspark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark tests skipped: no Java runtime (java) on the PATH")
    return ["--backend", "spark", "--master", "local[2]", "--python", sys.executable]


@pytest.mark.parametrize("example", ["census", "baseball"])
def test_spark_gives_the_bytes_of_threads(tmp_path, example):
    same_pipeline(example, tmp_path, spark_options())


def test_spark_python_worker_killed_during_analyze(tmp_path):
    """`local[2,4]`: Spark retries a failed task up to 4 times. The Python worker that runs a
    doppel task is SIGKILLed; Spark reruns the task and the statistics are those of threads."""
    options = spark_options()
    options[options.index("local[2]")] = "local[2,4]"
    local, remote = tmp_path / "local", tmp_path / "remote"
    split("census", local)
    shutil.copytree(local, remote)
    doppel("analyze", "--workspace", local, "--quiet")
    killed = []

    def kill_a_python_worker():
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    command = (entry / "cmdline").read_bytes().split(b"\0")
                    if len(command) >= 2 and command[1] == b"__task":
                        parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                        os.kill(parent, signal.SIGKILL)
                        killed.append(parent)
                        return
                except (OSError, ValueError, IndexError):
                    continue
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_python_worker)
    killer.start()
    doppel("analyze", "--workspace", remote, "--quiet", *options)
    killer.join()
    assert killed, "no task ran long enough to kill its Python worker"
    assert files(local / "ModelStore" / "tgt-stats") == files(remote / "ModelStore" / "tgt-stats")
