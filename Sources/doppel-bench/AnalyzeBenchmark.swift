import Doppel
import DoppelParallel
import Foundation

/// Times `Analyze.run` on a generated numeric table (default 10M rows × 10 columns, all
/// TABULAR_NUMERIC_AUTO) spread over `--partitions` partition files, and reports wall time, CPU
/// time and peak RSS against the table's in-memory size.
///
/// The first run with given `--rows/--columns/--partitions` only generates the workspace (so
/// that generation does not count in the peak RSS); run the same command again to measure.
enum AnalyzeBenchmark {
    static func run(_ arguments: [String]) throws {
        let rows = Int(BenchCommandLine.value("rows", in: arguments) ?? "") ?? 10_000_000
        let columns = Int(BenchCommandLine.value("columns", in: arguments) ?? "") ?? 10
        let partitions = Int(BenchCommandLine.value("partitions", in: arguments) ?? "") ?? 1
        let directory = BenchCommandLine.value("dir", in: arguments) ?? "bench-data"
        let path = "\(directory)/analyze-\(rows)x\(columns)-p\(partitions)"
        let workspace = Workspace(path: path)
        let tableBytes = rows * columns * 8
        if !FileManager.default.fileExists(atPath: workspace.metaDirectory(.target).appendingPathComponent("encoding-types.json").path) {
            try generate(workspace, rows: rows, columns: columns, partitions: partitions)
            print("generated \(path) (\(BenchCommandLine.megabytes(PipelineBenchmarkData.directoryBytes(workspace.originalData))) of partition files); run the same command again to measure")
            return
        }
        var options = AnalyzeOptions(workspace: path)
        options.executor = try PipelineBenchmarkData.executor(arguments)
        options.valueProtection = BenchCommandLine.value("protection", in: arguments) != "off"
        let cpu0 = PipelineBenchmarkData.cpuSeconds()
        let start = BenchCommandLine.now()
        let summary = try Analyze.run(options)
        let wall = BenchCommandLine.now() - start
        let cpu1 = PipelineBenchmarkData.cpuSeconds()
        let peak = BenchCommandLine.peakRSSBytes(), childPeak = PipelineBenchmarkData.childrenPeakRSSBytes()
        let resolved = summary.target.columns.map { "\($0.name)→\($0.stats.encodingType.rawValue.replacingOccurrences(of: "TABULAR_NUMERIC_", with: ""))" }
        print("analyze \(rows) rows × \(columns) numeric columns, \(partitions) partition(s) × trn/val, backend \(summary.backend), jobs \(summary.jobs)")
        print("  wall \(BenchCommandLine.format(wall, decimals: 2)) s, CPU \(BenchCommandLine.format(cpu1.own - cpu0.own, decimals: 2)) s (+ worker processes \(BenchCommandLine.format(cpu1.children - cpu0.children, decimals: 2)) s)")
        print("  table in memory \(BenchCommandLine.megabytes(tableBytes)); peak RSS \(BenchCommandLine.megabytes(peak)) (\(BenchCommandLine.format(Double(peak) / Double(tableBytes), decimals: 2))× the table)"
            + (childPeak > 0 ? ", largest worker process \(BenchCommandLine.megabytes(childPeak))" : ""))
        print("  encodings: \(resolved.joined(separator: ", "))")
    }

    /// Rows are dealt in contiguous blocks: partition p holds rows `[p·n/P, (p+1)·n/P)`, the
    /// first 80 % training and the rest validation, so every partition count holds the same values.
    static func generate(_ workspace: Workspace, rows: Int, columns: Int, partitions: Int) throws {
        try FileManager.default.createDirectory(at: workspace.dataDirectory(.target), withIntermediateDirectories: true)
        let names = (0..<columns).map { "x\($0)" }
        for p in 0..<partitions {
            let block = (p * rows / partitions)..<((p + 1) * rows / partitions)
            let cut = block.lowerBound + block.count * 4 / 5
            for (side, range) in [(Workspace.Side.training, block.lowerBound..<cut), (.validation, cut..<block.upperBound)] {
                let table = try Table((0..<columns).map { (names[$0], PipelineBenchmarkData.numericColumn($0, rows: range)) })
                try ArrowIPC.write(table, to: workspace.partitionFile(.target, index: p, side: side).path,
                                   metadata: ["doppel.role": "target", "doppel.side": side.rawValue])
            }
        }
        try PipelineBenchmarkData.writeJSON(EncodingTypesFile(columns: names.map { .init(column: $0, encoding: .numericAuto) }),
                                            to: workspace.metaDirectory(.target).appendingPathComponent("encoding-types.json"))
        try PipelineBenchmarkData.writeJSON(KeysFile(primaryKey: nil, contextKey: nil),
                                            to: workspace.metaDirectory(.target).appendingPathComponent("keys.json"))
        try StepRecords.recordSplit(workspace)
    }
}
