import DoppelModel
import DoppelTable
import DoppelIO
import Foundation
import Testing
@testable import Doppel

/// A sequential workspace (the bundled baseball example) read back as the sequential model's inputs.
@Suite struct SequentialInputsTests {
    @Test func encodedSequencesLoadWithTheirPositionalCodesAndContext() throws {
        let ws = try PipelineFixture.baseball(partitions: 2)
        _ = try PipelineFixture.analyze(ws, protection: false)
        _ = try PipelineFixture.encode(ws)
        let workspace = Workspace(path: ws)
        #expect(try SequentialInputs.isSequential(workspace))
        let inputs = try SequentialInputs.read(workspace)
        #expect(inputs.target.columns[0].name == "/" && inputs.positional.sidx == [0])
        #expect(inputs.target.columns.count > 5 && (inputs.context?.columns.count ?? 0) > 3)
        let architecture = SequentialModelArchitecture.resolve(target: inputs.target, positional: inputs.positional, context: inputs.context,
                                                              medianLength: inputs.medianLength, size: .small)
        try architecture.validate()

        let data = try inputs.load(workspace, side: .training)
        var contextRows = 0, targetRows = 0
        for file in try workspace.partitionFiles(.context) where file.lastPathComponent.hasSuffix("-trn.arrow") {
            contextRows += try ArrowIPC.read(path: file.path).rowCount
        }
        for file in try workspace.partitionFiles(.target) where file.lastPathComponent.hasSuffix("-trn.arrow") {
            targetRows += try ArrowIPC.read(path: file.path).rowCount
        }
        #expect(data.subjectCount == contextRows)
        #expect(data.contextCodes.count == contextRows * (inputs.context?.subColumnCount ?? 0))
        let S = data.subColumnCount
        var events = 0
        for s in 0..<data.subjectCount {
            let length = data.length(s)
            events += length
            for i in 0..<length {
                let row = (0..<S).map { data.code(subject: s, event: i, subColumn: $0) }
                let sidx = PositionalSubColumns.read(row, columns: inputs.positional.sidx)
                let slen = PositionalSubColumns.read(row, columns: inputs.positional.slen)
                let ridx = PositionalSubColumns.read(row, columns: inputs.positional.ridx)
                #expect(sidx == i && slen == length && ridx == length - i)
            }
        }
        #expect(events > 0)
        #expect(events == targetRows, "every training event is kept (no sequence is longer than the protected maximum here)")

        // The mapped pages can be handed back at any time: the codes read the same afterwards.
        let before = (0..<data.subjectCount).flatMap { s in (0..<data.length(s)).map { data.code(subject: s, event: $0, subColumn: S - 1) } }
        #expect(data.releasePages != nil)
        data.releasePages?()
        let after = (0..<data.subjectCount).flatMap { s in (0..<data.length(s)).map { data.code(subject: s, event: $0, subColumn: S - 1) } }
        #expect(after == before)
    }

    /// The sequences files are read in place, but every code is still checked: a code beyond its
    /// cardinality is refused with the file, the column and the row.
    @Test func aCorruptedCodeInASequencesFileIsRefused() throws {
        let ws = try PipelineFixture.baseball(partitions: 1)
        _ = try PipelineFixture.analyze(ws, protection: false)
        _ = try PipelineFixture.encode(ws)
        let workspace = Workspace(path: ws)
        let inputs = try SequentialInputs.read(workspace)
        let file = Encode.sequencesFile(try ModelInputs.partitionFiles(workspace, side: .training)[0])
        let table = try ArrowIPC.read(path: file)
        let name = table.schema.names[4]
        var values: [Int64?] = (0..<table.rowCount).map { table.column(named: name)!.value(at: $0).map { if case .int64(let v) = $0 { v } else { 0 } } }
        values[7] = 30_000
        let corrupted = try Table(zip(table.schema.names, table.columns).map { ($0, $0 == name ? Column.int64(values) : $1) })
        try ArrowIPC.write(corrupted, to: file, metadata: try ArrowIPC.readMetadata(path: file))
        #expect { _ = try inputs.load(workspace, side: .training) } throws: {
            "\($0)".contains(file) && "\($0)".contains("column '\(name)', row 7: code 30000 is outside")
        }
    }

    @Test func flatWorkspacesAreNotSequential() throws {
        let ws = try PipelineFixture.titanic(partitions: 1)
        #expect(try !SequentialInputs.isSequential(Workspace(path: ws)))
    }
}
