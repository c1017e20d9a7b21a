import DoppelTestSupport
import Foundation
import Testing

/// The cluster options of the `doppel` executable (skipped when it has not been built); the
/// clusters themselves are exercised by python/tests/test_cluster.py.
@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct ClusterOptionsTests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    @Test func daskNeedsASchedulerAndClusterOptionsNeedAClusterBackend() throws {
        let ws = try TestSupport.temporaryDirectory("cluster-options").path
        let noScheduler = try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--backend", "dask"], environment: ["DASK_SCHEDULER_ADDRESS": ""])
        #expect(noScheduler.status != 0 && noScheduler.output.contains("--backend dask needs --scheduler"), "\(noScheduler.output)")
        let stray = try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--scheduler", "tcp://127.0.0.1:8786"])
        #expect(stray.status != 0 && stray.output.contains("go with --backend dask or spark"), "\(stray.output)")
    }

    @Test func aMissingPythonForTheAdapterIsNamed() throws {
        // A workspace with partitions, so that analyze reaches its first task.
        let ws = try TestSupport.temporaryDirectory("cluster-python").appendingPathComponent("ws").path
        let titanic = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        #expect(try TestSupport.run(doppel, ["split", "--data", titanic, "--workspace", ws, "--quiet"]).status == 0)
        let result = try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9",
                                                  "--python", "/nonexistent/python3"])
        #expect(result.status != 0)
        #expect(result.output.contains("cluster adapter"), "\(result.output)")
    }

    @Test func partNeedsParts() throws {
        let ws = try TestSupport.temporaryDirectory("cluster-part").path
        let result = try TestSupport.run(doppel, ["generate", "--workspace", ws, "--part", "2", "--parts", "2"])
        #expect(result.status != 0 && result.output.contains("0 ≤ I < N"), "\(result.output)")
    }
}
