import Doppel
import DoppelParallel
import Foundation

/// Times `Encode.run` on a generated sequential workspace: `--subjects` context rows (default
/// 100k) with `--length` target rows each (default 100) × `--columns` numeric columns (default 10:
/// half TABULAR_NUMERIC_DISCRETE, half TABULAR_NUMERIC_BINNED). Target rows are interleaved
/// (row r belongs to subject r mod subjects), so encode has to group them by subject.
///
/// The first run generates and analyzes the workspace; run the same command again to measure.
enum EncodeSequentialBenchmark {
    static func run(_ arguments: [String]) throws {
        let subjects = Int(BenchCommandLine.value("subjects", in: arguments) ?? "") ?? 100_000
        let length = Int(BenchCommandLine.value("length", in: arguments) ?? "") ?? 100
        let columns = Int(BenchCommandLine.value("columns", in: arguments) ?? "") ?? 10
        let directory = BenchCommandLine.value("dir", in: arguments) ?? "bench-data"
        let path = "\(directory)/encode-seq-\(subjects)x\(length)x\(columns)"
        let workspace = Workspace(path: path)
        let executor = try PipelineBenchmarkData.executor(arguments)
        if !FileManager.default.fileExists(atPath: workspace.statsFile(.target).path) {
            try generate(workspace, subjects: subjects, length: length, columns: columns)
            var options = AnalyzeOptions(workspace: path)
            options.executor = executor
            let start = BenchCommandLine.now()
            _ = try Analyze.run(options)
            print("generated and analyzed \(path) (analyze \(BenchCommandLine.format(BenchCommandLine.now() - start, decimals: 2)) s); run the same command again to measure encode")
            return
        }
        var options = EncodeOptions(workspace: path)
        options.executor = executor
        let cpu0 = PipelineBenchmarkData.cpuSeconds()
        let start = BenchCommandLine.now()
        let summary = try Encode.run(options)
        let wall = BenchCommandLine.now() - start
        let cpu1 = PipelineBenchmarkData.cpuSeconds()
        let bytes = PipelineBenchmarkData.directoryBytes(workspace.encodedDataDirectory)
        print("encode \(subjects) subjects × \(length) rows × \(columns) columns (\(subjects * length) target rows), backend \(executor.backend?.rawValue ?? "threads"), jobs \(executor.resolvedJobs)")
        print("  wall \(BenchCommandLine.format(wall, decimals: 2)) s, CPU \(BenchCommandLine.format(cpu1.own - cpu0.own, decimals: 2)) s (+ worker processes \(BenchCommandLine.format(cpu1.children - cpu0.children, decimals: 2)) s), peak RSS \(BenchCommandLine.megabytes(BenchCommandLine.peakRSSBytes()))")
        print("  \(summary.sequenceRows) padded rows × \(summary.sequenceSubColumns.count) sub-columns, \(summary.rows) subjects × \(summary.subColumns.count) sub-columns; \(BenchCommandLine.megabytes(bytes)) written (codes as int8/16/32 by cardinality)")
    }

    /// One partition: the first 80 % of subjects training, the rest validation.
    static func generate(_ workspace: Workspace, subjects: Int, length: Int, columns: Int) throws {
        let names = (0..<columns).map { "x\($0)" }
        let cut = subjects * 4 / 5
        var globalRow = 0
        for (side, range) in [(Workspace.Side.training, 0..<cut), (.validation, cut..<subjects)] {
            let count = range.count * length
            var keys = BufferBuilder<Int64>(capacity: count)
            for k in 0..<count { keys.append(Int64(range.lowerBound + k % max(1, range.count))) }
            var target: [(String, Column)] = [("subject_id", .int64(PrimitiveColumn(values: keys.finish())))]
            for c in 0..<columns {
                // Discrete columns: small integers; binned columns: uniform floats.
                let kind = c % 2 == 0 ? 0 : 1
                target.append((names[c], PipelineBenchmarkData.numericColumn(kind, rows: (globalRow + c * 7_919)..<(globalRow + c * 7_919 + count))))
            }
            globalRow += count
            try FileManager.default.createDirectory(at: workspace.dataDirectory(.target), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: workspace.dataDirectory(.context), withIntermediateDirectories: true)
            try ArrowIPC.write(try Table(target), to: workspace.partitionFile(.target, index: 0, side: side).path)
            let ids = Buffer(range.map { Int64($0) })
            let group = Buffer(range.map { Int64($0 % 5) })
            try ArrowIPC.write(try Table([("id", .int64(PrimitiveColumn(values: ids))), ("group", .int64(PrimitiveColumn(values: group)))]),
                               to: workspace.partitionFile(.context, index: 0, side: side).path)
        }
        let encodings = names.enumerated().map { c, name in
            EncodingTypesFile.Entry(column: name, encoding: c % 2 == 0 ? .numericDiscrete : .numericBinned)
        }
        try PipelineBenchmarkData.writeJSON(EncodingTypesFile(columns: encodings), to: workspace.metaDirectory(.target).appendingPathComponent("encoding-types.json"))
        try PipelineBenchmarkData.writeJSON(KeysFile(primaryKey: nil, contextKey: "subject_id"), to: workspace.metaDirectory(.target).appendingPathComponent("keys.json"))
        try PipelineBenchmarkData.writeJSON(EncodingTypesFile(columns: [.init(column: "group", encoding: .categorical)]),
                                            to: workspace.metaDirectory(.context).appendingPathComponent("encoding-types.json"))
        try PipelineBenchmarkData.writeJSON(KeysFile(primaryKey: "id", contextKey: nil), to: workspace.metaDirectory(.context).appendingPathComponent("keys.json"))
        try StepRecords.recordSplit(workspace)
    }
}
