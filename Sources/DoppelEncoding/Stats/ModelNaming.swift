/// Which part of the model a table's columns feed (reference `argn_processor`).
public enum ModelProcessor: String, Codable, Sendable {
    case target = "tgt"
    case flatContext = "ctxflt"
    case sequentialContext = "ctxseq"
}

/// The model identity of a column: `{processor}:t{table}/c{column}`; sub-columns append
/// `__{name}`, e.g. `tgt:t5/c5__bin`.
///
/// Columns whose names share a prefix before `::` (e.g. `scp1::a`, `scp1::b`) share a table
/// index (one sequence encoder); any other column is its own table (reference §4.1).
public struct ModelColumnName: Sendable, Equatable, Hashable {
    public var processor: ModelProcessor
    public var table: Int
    public var column: Int

    public var prefix: String { "\(processor.rawValue):t\(table)/c\(column)" }
    public func subColumn(_ name: String) -> String { prefix + "__" + name }
}

extension StatsFile {
    /// Model names of the columns, in column order.
    public func modelColumnNames(processor: ModelProcessor) -> [ModelColumnName] {
        var tables: [String: Int] = [:]
        return columns.enumerated().map { index, entry in
            let key = Self.tablePrefix(entry.name).map { "::" + $0 } ?? entry.name
            let table = tables[key] ?? tables.count
            tables[key] = table
            return ModelColumnName(processor: processor, table: table, column: index)
        }
    }

    /// The part of `name` before the first `::`, if any.
    static func tablePrefix(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: ":") {
            return String(decoding: bytes[..<i], as: UTF8.self)
        }
        return nil
    }

    /// Every sub-column's full model name and cardinality, in canonical order (columns in stats
    /// order, sub-columns in each encoding's order). Sequential positional sub-columns are not
    /// included; they come first when the model adds them.
    public func cardinalities(processor: ModelProcessor) -> [(name: String, cardinality: Int)] {
        zip(columns, modelColumnNames(processor: processor)).flatMap { entry, model in
            entry.stats.subColumns.map { (model.subColumn($0.name), $0.cardinality) }
        }
    }
}
