import DoppelTable

/// One column in the form the metrics need, following mostlyai-qa's dtype harmonisation:
/// integers, floats and booleans become numbers, dates and timestamps become points in time
/// (microseconds since 1970, as `Double`), everything else is a category.
///
/// Values are unboxed: `NaN` marks a missing number or time, code `-1` a missing category.
public enum MetricColumn: Sendable {
    case numeric([Double])
    case temporal([Double])
    case categorical(codes: [Int32], dictionary: [String])

    public var count: Int {
        switch self {
        case .numeric(let v), .temporal(let v): v.count
        case .categorical(let codes, _): codes.count
        }
    }

    public var kind: Kind {
        switch self {
        case .numeric: .numeric
        case .temporal: .temporal
        case .categorical: .categorical
        }
    }

    public enum Kind: String, Sendable, Codable { case numeric, temporal, categorical }

    /// Converts a table column.
    public init(_ column: Column) {
        switch column {
        case .int64(let c): self = .numeric(MetricColumn.doubles(c) { Double($0) })
        case .int8, .int16, .int32: self.init(column.widenedToInt64())
        case .float64(let c): self = .numeric(MetricColumn.doubles(c) { $0 })
        case .bool(let c): self = .numeric(MetricColumn.doubles(c) { Double($0) })
        case .timestamp(let c): self = .temporal(MetricColumn.doubles(c) { Double($0) })
        case .date(let c): self = .temporal(MetricColumn.doubles(c) { Double($0) * 86_400_000_000 })
        case .string(let c): self = MetricColumn.categories(c)
        }
    }

    private static func doubles<V>(_ c: PrimitiveColumn<V>, _ convert: (V) -> Double) -> [Double] {
        var out = [Double](repeating: .nan, count: c.count)
        c.values.withUnsafeBufferPointer { src in
            for i in 0..<src.count where c.isValid(i) { out[i] = convert(src[i]) }
        }
        return out
    }

    private static func categories(_ c: StringColumn) -> MetricColumn {
        var codes = [Int32](repeating: -1, count: c.count)
        switch c.storage {
        case .dictionary(let raw, let dict):
            // Dictionaries may hold entries no row uses; re-code densely in order of first use.
            var remap = [Int32](repeating: -1, count: dict.count)
            var names: [String] = []
            raw.withUnsafeBufferPointer { src in
                for i in 0..<src.count where c.isValid(i) {
                    let d = Int(src[i])
                    if remap[d] < 0 { remap[d] = Int32(names.count); names.append(dict[d]) }
                    codes[i] = remap[d]
                }
            }
            return .categorical(codes: codes, dictionary: names)
        case .plain(let strings):
            var interner = StringInterner(capacity: 64)
            for i in 0..<c.count where c.isValid(i) { codes[i] = interner.intern(strings.utf8(i)) }
            let dict = interner.finish()
            return .categorical(codes: codes, dictionary: (0..<dict.count).map { dict[$0] })
        }
    }

    /// The rows at `indices` (an index of `-1` yields a missing value).
    public func take(_ indices: [Int]) -> MetricColumn {
        switch self {
        case .numeric(let v): .numeric(indices.map { $0 >= 0 ? v[$0] : .nan })
        case .temporal(let v): .temporal(indices.map { $0 >= 0 ? v[$0] : .nan })
        case .categorical(let codes, let dict): .categorical(codes: indices.map { $0 >= 0 ? codes[$0] : -1 }, dictionary: dict)
        }
    }

    /// Rows of `parts` one after another; categories are merged into one dictionary.
    public static func concatenate(_ parts: [MetricColumn]) -> MetricColumn {
        guard let first = parts.first else { return .numeric([]) }
        switch first {
        case .numeric: return .numeric(parts.flatMap { $0.numbers ?? [] })
        case .temporal: return .temporal(parts.flatMap { $0.numbers ?? [] })
        case .categorical:
            var index: [String: Int32] = [:]
            var names: [String] = []
            var codes: [Int32] = []
            for part in parts {
                guard case .categorical(let c, let d) = part else { continue }
                let remap: [Int32] = d.map { name in
                    if let code = index[name] { return code }
                    let code = Int32(names.count)
                    index[name] = code
                    names.append(name)
                    return code
                }
                codes.append(contentsOf: c.lazy.map { $0 >= 0 ? remap[Int($0)] : -1 })
            }
            return .categorical(codes: codes, dictionary: names)
        }
    }

    var numbers: [Double]? {
        switch self {
        case .numeric(let v), .temporal(let v): v
        case .categorical: nil
        }
    }

    /// This column coerced to `kind` (mostlyai-qa coerces synthetic and holdout data to the
    /// original's types; values that do not parse become missing).
    public func coerced(to kind: Kind) -> MetricColumn {
        if kind == self.kind { return self }
        switch (self, kind) {
        case (.categorical(let codes, let dict), .numeric):
            let parsed = dict.map { Double($0.trimmingCharacters(in: .whitespaces)) ?? .nan }
            return .numeric(codes.map { $0 >= 0 ? parsed[Int($0)] : .nan })
        case (.categorical(let codes, let dict), .temporal):
            let parsed = dict.map { TemporalParsing.micros($0) ?? .nan }
            return .temporal(codes.map { $0 >= 0 ? parsed[Int($0)] : .nan })
        case (.numeric(let v), .temporal), (.temporal(let v), .numeric):
            return kind == .numeric ? .numeric(v) : .temporal(v)
        case (.numeric(let v), .categorical), (.temporal(let v), .categorical):
            var index: [Double: Int32] = [:]
            var names: [String] = []
            let isTime = self.kind == .temporal
            let codes: [Int32] = v.map { x in
                if x.isNaN { return -1 }
                if let c = index[x] { return c }
                let c = Int32(names.count)
                index[x] = c
                names.append(isTime ? TemporalParsing.format(x) : MetricColumn.formatNumber(x))
                return c
            }
            return .categorical(codes: codes, dictionary: names)
        default:
            return self
        }
    }

    /// Python-like text of a number (`40.0` prints as `40.0`, as pandas' `astype(str)` does on floats).
    static func formatNumber(_ x: Double) -> String { String(x) }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t"]
}

/// ISO-8601 date/time text ⇄ microseconds, for coercing text columns to times.
enum TemporalParsing {
    /// Parses `YYYY-MM-DD` with an optional ` HH:MM[:SS[.ffffff]]` or `T…` part.
    static func micros(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var v = 0
            for i in range {
                let b = bytes[i]
                guard b >= 48 && b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m), d >= 1, d <= 31
        else { return nil }
        var micros = Double(TemporalFormat.daysFromCivil(year: y, month: m, day: d)) * 86_400_000_000
        if bytes.count >= 16, let h = number(11..<13), let mi = number(14..<16) {
            micros += Double(h * 3600 + mi * 60) * 1_000_000
            if bytes.count >= 19, let s = number(17..<19) { micros += Double(s) * 1_000_000 }
        }
        return micros
    }

    static func format(_ micros: Double) -> String {
        TemporalFormat.formatTimestamp(micros: Int64(micros))
    }
}
