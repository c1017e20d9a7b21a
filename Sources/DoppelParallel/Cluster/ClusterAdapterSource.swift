/// The Python side of the `dask` and `spark` backends, run by ``ClusterPool`` as
/// `python -c SOURCE SETTINGS`: it connects to the cluster and runs doppel task processes on its
/// workers (docs/cluster.md). Kept in the binary so that a driver needs only a Python with Dask
/// or PySpark, not a file of ours beside the executable. Functions defined here reach the
/// workers by value (cloudpickle, which both engines use).
enum ClusterAdapterSource {
    static let python = #"""
# Doppel's cluster adapter (started by the doppel CLI; see docs/cluster.md). It connects to a
# Dask scheduler or a Spark master, then runs batches of doppel task processes there: one
# request per line on stdin, one reply per line on stdout, both JSON. A task is the doppel
# executable on a worker with some arguments and a small standard input (a task descriptor:
# paths and column names); its standard output (a small JSON result) comes back. No table data
# passes through here or through the scheduler: the tasks read and write the shared workspace.
import json, os, shutil, socket, subprocess, sys, uuid

def locate_binary(binary):
    """The doppel executable on this worker: the shipped copy, --worker-binary, PATH, or the
    doppel Python package's bundled engine."""
    candidates = [os.environ.get("DOPPEL_WORKER_BINARY"), binary.get("path")]
    if binary.get("sparkFile"):
        try:
            from pyspark import SparkFiles
            candidates.insert(0, SparkFiles.get(binary["sparkFile"]))
        except Exception:
            pass
    candidates.append(shutil.which("doppel"))
    try:
        from doppel._engine import binary_path
        candidates.append(binary_path())
    except Exception:
        pass
    for path in candidates:
        if path and os.path.isfile(path):
            if not os.access(path, os.X_OK):
                os.chmod(path, 0o755)
            return path
    return None

def run_task(binary, version, argv, payload):
    """Runs one doppel task process; returns (0, stdout) or (status, error message). A failing
    task is an answer, not an exception, so the engine does not retry it (only a lost worker's
    tasks are retried)."""
    executable = locate_binary(binary)
    host = socket.gethostname()
    if executable is None:
        return (127, f"no doppel executable on worker {host}: put doppel on its PATH, install the doppel "
                     "Python package there, pass --worker-binary PATH, or --ship-binary")
    environment = dict(os.environ, DOPPEL_DRIVER_VERSION=version, OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([executable] + argv, input=payload.encode(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=environment)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
        return (done.returncode, f"{message} (on worker {host})")
    return (0, done.stdout.decode())

def engine_module(name, engine, requirement):
    """The module `name` of the cluster engine, or an error that says how to install it."""
    import importlib
    try:
        return importlib.import_module(name)
    except ImportError:
        raise RuntimeError(f"the Python at {sys.executable} lacks {engine}: pip install {requirement} "
                           "(or choose another interpreter with --python)")

class DaskRunner:
    def __init__(self, settings):
        Client = engine_module("distributed", "Dask", "'dask[distributed]'").Client
        address = settings["address"]
        try:
            self.client = Client(address, timeout=settings["timeout"], set_as_default=False)
        except Exception as error:
            raise RuntimeError(f"cannot reach the Dask scheduler at {address} within {settings['timeout']} s: {error}")
        self.binary = {"path": settings.get("binary")}
        if settings.get("ship"):
            self.client.register_plugin(ship_binary_plugin(settings["ship"], settings["version"]), name="doppel-binary")
        import distributed
        workers = self.client.scheduler_info().get("workers", {})
        self.slots = max(1, sum(worker.get("nthreads", 1) for worker in workers.values()))
        self.description = f"Dask {distributed.__version__} at {address}, {len(workers)} worker(s)"

    def run(self, tasks, binary, version):
        batch = uuid.uuid4().hex[:8]
        futures = [self.client.submit(run_task, binary, version, task["argv"], task["stdin"], pure=False,
                                      key=f"doppel-{task['name']}-{batch}-{index}")
                   for index, task in enumerate(tasks)]
        return self.client.gather(futures)

    def close(self):
        self.client.close()

def make_ship_plugin():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ShipBinary(WorkerPlugin):
        """Writes the driver's doppel executable into each worker's local directory."""
        def __init__(self, path, version):
            with open(path, "rb") as source:
                self.data = source.read()
            self.version = version

        def setup(self, worker):
            target = os.path.join(worker.local_directory, f"doppel-{self.version}")
            partial = f"{target}.{os.getpid()}.tmp"
            with open(partial, "wb") as sink:
                sink.write(self.data)
            os.chmod(partial, 0o755)
            os.replace(partial, target)
            os.environ["DOPPEL_WORKER_BINARY"] = target
    return ShipBinary

def ship_binary_plugin(path, version):
    """A Dask worker plugin that ships the doppel executable at `path` (distributed is imported
    only here, so that a Spark adapter needs no Dask)."""
    return make_ship_plugin()(path, version)

class SparkRunner:
    def __init__(self, settings):
        SparkSession = engine_module("pyspark.sql", "PySpark", "pyspark").SparkSession
        master = settings["address"]
        # Spark's Python workers use this interpreter too (not whichever python3 is first on the PATH).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (SparkSession.builder.appName("doppel").master(master)
                   .config("spark.task.maxFailures", "4").config("spark.ui.enabled", "false"))
        if master.startswith("local"):
            builder = builder.config("spark.driver.host", "127.0.0.1")  # one machine: loopback only
        try:
            self.spark = builder.getOrCreate()
        except Exception as error:
            raise RuntimeError(f"cannot start a Spark session on {master}: {error}")
        self.context = self.spark.sparkContext
        self.binary = {"path": settings.get("binary")}
        if settings.get("ship"):
            self.context.addFile(settings["ship"])
            self.binary["sparkFile"] = os.path.basename(settings["ship"])
        self.slots = max(1, self.context.defaultParallelism)
        self.description = f"Spark {self.spark.version} on {master}"

    def run(self, tasks, binary, version):
        numbered = list(enumerate((task["argv"], task["stdin"]) for task in tasks))
        rdd = self.context.parallelize(numbered, len(numbered))
        answers = rdd.map(lambda item: (item[0], run_task(binary, version, item[1][0], item[1][1]))).collect()
        return [answer for _, answer in sorted(answers, key=lambda pair: pair[0])]

    def close(self):
        self.spark.stop()

def main():
    settings = json.loads(sys.argv[1])
    channel = sys.stdout
    sys.stdout = sys.stderr  # prints of the engines must not reach the protocol channel
    def reply(message):
        channel.write(json.dumps(message) + "\n")
        channel.flush()
    try:
        runner = DaskRunner(settings) if settings["engine"] == "dask" else SparkRunner(settings)
    except Exception as error:
        reply({"ok": False, "message": str(error)})
        return 1
    reply({"ok": True, "engine": runner.description, "slots": runner.slots})
    for line in sys.stdin:
        tasks = json.loads(line)["tasks"]
        try:
            answers = runner.run(tasks, runner.binary, settings["version"])
        except Exception as error:
            reply({"ok": False, "message": f"the cluster failed to run the tasks: {type(error).__name__}: {error}"})
            continue
        failed = next((index for index, (status, _) in enumerate(answers) if status != 0), None)
        if failed is None:
            reply({"ok": True, "results": [text for _, text in answers]})
        else:
            reply({"ok": False, "index": failed, "message": answers[failed][1]})
    runner.close()
    return 0

if __name__ == "__main__":
    sys.exit(main())
"""#
}
