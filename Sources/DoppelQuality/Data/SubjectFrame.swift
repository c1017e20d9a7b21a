import DoppelParallel
import DoppelTable

/// Where a column of a ``SubjectFrame`` comes from (mostlyai-qa's `tgt::`, `ctx::`, `nxt::`
/// prefixes).
public enum ColumnRole: String, Sendable, Codable {
    case target = "tgt"
    case context = "ctx"
    case next = "nxt"
}

/// One row per subject, the unit all accuracy measures compare (mostlyai-qa
/// `pull_data_for_accuracy`): for flat data every row is a subject; for sequential data every
/// context key is, contributing one random row `i` (uniform over `0…len−2`), the row after it
/// (`nxt::`, missing for one-row sequences) and the sequence length.
public struct SubjectFrame: Sendable {
    public struct Entry: Sendable {
        public let role: ColumnRole
        public let name: String
        public var column: MetricColumn
        public var key: String { "\(role.rawValue)::\(name)" }
    }

    public var entries: [Entry]
    public let subjectCount: Int

    /// The name of the sequence-length column.
    public static let sequenceLength = "Sequence Length"
    /// At most this many target and context columns take part (alphabetical order).
    public static let maxColumns = 300

    public func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }
}

/// How subjects relate to target rows.
public enum SubjectSetup: String, Sendable, Codable {
    /// One target row per subject (flat data, or a context with exactly one row each).
    case oneToOne = "1:1"
    /// Sequences: any number of target rows per subject.
    case oneToMany = "1:N"
}

/// Table plus optional context, as given to the evaluator.
public struct EvaluationData: Sendable {
    public var target: Table
    public var context: Table?

    public init(target: Table, context: Table? = nil) {
        self.target = target
        self.context = context
    }
}

/// Names of the keys that link target rows to subjects.
public struct SubjectKeys: Sendable, Equatable {
    /// Column of the target table holding the subject (context) key; `nil` for flat data.
    public var targetKey: String?
    /// Primary key of the context table (defaults to `targetKey`).
    public var contextPrimaryKey: String?

    public init(targetKey: String? = nil, contextPrimaryKey: String? = nil) {
        self.targetKey = targetKey
        self.contextPrimaryKey = contextPrimaryKey
    }
}

/// Errors of input shape, named by table and column.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case missingColumn(table: String, column: String)
    case tooFewSubjects(table: String, count: Int, minimum: Int)
    case contextWithoutKey
    case invalidOption(String)

    public var description: String {
        switch self {
        case .missingColumn(let t, let c): "\(t) data has no column '\(c)'"
        case .tooFewSubjects(let t, let n, let m): "\(t) data has \(n) subjects; at least \(m) are needed for a meaningful evaluation"
        case .contextWithoutKey: "a context table needs a context key (--context-key)"
        case .invalidOption(let message): message
        }
    }
}

enum SubjectSampling {
    /// Decides 1:1 or 1:N from the training data, as mostlyai-qa does.
    static func setup(_ data: EvaluationData, keys: SubjectKeys) -> SubjectSetup {
        guard let key = keys.targetKey, let keyColumn = data.target.column(named: key) else { return .oneToOne }
        var index = KeyIndex()
        let ids = index.encode(keyColumn)
        if Set(ids).count != ids.count { return .oneToMany }
        if let ctx = data.context, let pk = data.context?.column(named: keys.contextPrimaryKey ?? key) {
            let ctxIds = index.encode(pk)
            if Set(ctxIds).count != ctxIds.count || Set(ctxIds) != Set(ids) || ctx.rowCount != ctxIds.count { return .oneToMany }
        }
        return .oneToOne
    }

    /// Builds the subject frame of one data set.
    static func frame(_ data: EvaluationData, keys: SubjectKeys, setup: SubjectSetup, tableName: String, random: inout SeededRandom) throws -> SubjectFrame {
        let target = data.target
        guard let key = keys.targetKey else {
            // Flat: every row is a subject.
            let names = Array(target.schema.names.sorted().prefix(SubjectFrame.maxColumns))
            let entries = names.map { SubjectFrame.Entry(role: .target, name: $0, column: MetricColumn(target.column(named: $0)!)) }
            return SubjectFrame(entries: entries, subjectCount: target.rowCount)
        }
        guard let keyColumn = target.column(named: key) else { throw EvaluationError.missingColumn(table: tableName, column: key) }
        var index = KeyIndex()
        let rowKeys = index.encode(keyColumn)

        // Subjects: the context's keys (in context order), else the target's distinct keys.
        var subjectKeys: [Int32]
        var contextRow: [Int] = []
        if let ctx = data.context {
            let pkName = keys.contextPrimaryKey ?? key
            guard let pk = ctx.column(named: pkName) else { throw EvaluationError.missingColumn(table: "\(tableName) context", column: pkName) }
            subjectKeys = index.encode(pk)
            contextRow = Array(0..<ctx.rowCount)
        } else {
            var seen = Set<Int32>()
            subjectKeys = rowKeys.filter { $0 >= 0 && seen.insert($0).inserted }
        }
        // Rows of each key, in table order.
        var rowsOf: [Int32: [Int]] = [:]
        for (row, k) in rowKeys.enumerated() where k >= 0 { rowsOf[k, default: []].append(row) }

        // Drop subjects without target rows.
        var keep: [Int] = []
        for (i, k) in subjectKeys.enumerated() where (rowsOf[k]?.isEmpty == false) { keep.append(i) }
        subjectKeys = keep.map { subjectKeys[$0] }
        if !contextRow.isEmpty { contextRow = keep.map { contextRow[$0] } }

        var pick: [Int] = [], following: [Int] = [], lengths: [Double] = []
        pick.reserveCapacity(subjectKeys.count)
        for k in subjectKeys {
            let rows = rowsOf[k]!
            let i = Int(Double(rows.count - 1) * random.nextDouble())
            pick.append(rows[i])
            following.append(i + 1 < rows.count ? rows[i + 1] : -1)
            lengths.append(Double(rows.count))
        }

        var entries: [SubjectFrame.Entry] = []
        if let ctx = data.context {
            let pkName = keys.contextPrimaryKey ?? key
            let names = ctx.schema.names.filter { $0 != pkName }.sorted().prefix(SubjectFrame.maxColumns)
            for n in names { entries.append(.init(role: .context, name: n, column: MetricColumn(ctx.column(named: n)!).take(contextRow))) }
        }
        let names = Array(target.schema.names.filter { $0 != key }.sorted().prefix(SubjectFrame.maxColumns))
        let columns = names.map { MetricColumn(target.column(named: $0)!) }
        if setup == .oneToMany {
            entries.append(.init(role: .target, name: SubjectFrame.sequenceLength, column: .numeric(lengths)))
        }
        for (n, c) in zip(names, columns) { entries.append(.init(role: .target, name: n, column: c.take(pick))) }
        if setup == .oneToMany {
            for (n, c) in zip(names, columns) { entries.append(.init(role: .next, name: n, column: c.take(following))) }
        }
        return SubjectFrame(entries: entries, subjectCount: subjectKeys.count)
    }

    /// Replaces text-like columns (more than 5 % of present values occur exactly once) by one
    /// random word of each value. mostlyai-qa draws one GPT-2 token; whitespace-separated words
    /// are Doppel's tokenizer-free stand-in (documented in docs/evaluate.md).
    static func sampleTextTokens(_ frame: inout SubjectFrame, random: inout SeededRandom) {
        for e in frame.entries.indices {
            guard case .categorical(let codes, let dict) = frame.entries[e].column else { continue }
            var perCode = [Int](repeating: 0, count: dict.count)
            var present = 0
            for c in codes where c >= 0 { perCode[Int(c)] += 1; present += 1 }
            guard present > 0 else { continue }
            let singletons = perCode.filter { $0 == 1 }.count
            guard Double(singletons) / Double(present) > 0.05 else { continue }
            var index: [String: Int32] = [:]
            var names: [String] = []
            let words = dict.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init) }
            let newCodes: [Int32] = codes.map { c in
                guard c >= 0 else { return -1 }
                let w = words[Int(c)]
                guard !w.isEmpty else { return -1 }
                let token = w[random.uniform(below: w.count)]
                if let code = index[token] { return code }
                let code = Int32(names.count)
                index[token] = code
                names.append(token)
                return code
            }
            frame.entries[e].column = .categorical(codes: newCodes, dictionary: names)
        }
    }
}

/// Dense integer ids of key values, shared by the tables that are joined on them. Keys compare
/// by their text, so an integer key in one table matches the same digits in another.
struct KeyIndex {
    private var ids: [String: Int32] = [:]

    mutating func encode(_ column: Column) -> [Int32] {
        var out = [Int32](repeating: -1, count: column.count)
        switch column {
        case .string(let c):
            var cache: [Int32: Int32] = [:]
            if case .dictionary(let codes, let dict) = c.storage {
                for row in 0..<c.count where c.isValid(row) {
                    let d = codes[row]
                    if let id = cache[d] { out[row] = id; continue }
                    let id = id(for: dict[Int(d)])
                    cache[d] = id
                    out[row] = id
                }
            } else {
                for row in 0..<c.count where c.isValid(row) { out[row] = id(for: c[row]!) }
            }
        default:
            for row in 0..<column.count {
                if let v = column.value(at: row) { out[row] = id(for: v.description) }
            }
        }
        return out
    }

    private mutating func id(for text: String) -> Int32 {
        if let id = ids[text] { return id }
        let id = Int32(ids.count)
        ids[text] = id
        return id
    }
}
