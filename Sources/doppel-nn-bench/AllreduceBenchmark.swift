// The gradient sum across MPI ranks: DoppelNN's tree allreduce (the one training uses) at
// parameter counts from a small flat model to a large one.
//
//   mpirun -np 2 .build/release/doppel-nn-bench allreduce
import DoppelNN
import DoppelParallel
import Foundation

func runAllreduceBenchmark() {
    let environment = ProcessInfo.processInfo.environment
    guard MPIProcessGroup.launchedByMPI(environment) else {
        print("allreduce: start under mpirun (e.g. mpirun -np 2 doppel-nn-bench allreduce)")
        return
    }
    do {
        let group = try MPIProcessGroup(environment: environment)
        if group.rank == 0 { print("allreduce over \(group.size) ranks (\(group.libraryVersion)); median wall ms of 30 after 3 warm-up calls") }
        for count in [34_150, 300_000, 1_000_000, 2_500_000, 10_000_000] {
            var buffer = random(count, seed: UInt64(group.rank + 1))
            var times: [Double] = []
            for run in 0..<33 {
                try group.barrier()
                let start = Date()
                try buffer.withUnsafeMutableBufferPointer { b throws(DistributedError) in try group.sumInTreeOrder(b.baseAddress!, count: count) }
                if run >= 3 { times.append(Date().timeIntervalSince(start)) }
                // Keep the values finite and the work the same on every run.
                for i in stride(from: 0, to: count, by: 4096) { buffer[i] = 0 }
            }
            times.sort()
            let median = times[times.count / 2] * 1000
            if group.rank == 0 {
                print(String(format: "  %10d floats (%6.1f MB): tree allreduce %8.3f ms (min %.3f), %7.1f MB/s per rank",
                             count, Double(count * 4) / 1e6, median, times[0] * 1000, Double(count * 4) / 1e6 / (median / 1000)))
            }
        }
        group.finalize()
    } catch {
        print("allreduce: \(error)")
    }
}
