/// Resolves key columns to row indices once, for whole columns: uniqueness of primary keys and
/// the context row of every target row, with no lookup per subject afterwards.
enum SubjectKeyIndex {
    struct KeyError: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks that `column` (called `name`, in `file`) has no missing and no repeated values.
    static func requireUnique(_ column: Column, name: String, file: String) throws {
        _ = try resolve(primary: column, primaryName: name, primaryFile: file, foreign: nil, foreignName: "", foreignFile: "")
    }

    /// The first row of each distinct value of `column`, in order of first appearance.
    static func distinctRows(_ column: Column, name: String, file: String) throws -> [Int] {
        guard column.nullCount == 0 else {
            throw KeyError(description: "\(file): context key '\(name)' has \(column.nullCount) missing value(s)")
        }
        var rows: [Int] = []
        if case .int64(let keys) = column {
            var seen = Set<Int64>()
            keys.values.withUnsafeBufferPointer { keys in
                for (row, key) in keys.enumerated() where seen.insert(key).inserted { rows.append(row) }
            }
            return rows
        }
        var interner = StringInterner(capacity: 1024)
        var scratch = [UInt8]()
        for row in 0..<column.count where Int(withKeyBytes(column, row, &scratch) { interner.intern($0) }) == rows.count {
            rows.append(row)
        }
        return rows
    }

    /// For every row of `foreign` (the target's context key), the row of `primary` (the context
    /// primary key) with the same value. Throws when `primary` has missing or duplicate values,
    /// or when `foreign` holds missing values or values absent from `primary`.
    static func resolve(primary: Column, primaryName: String, primaryFile: String,
                        foreign: Column?, foreignName: String, foreignFile: String) throws -> [Int] {
        if primary.nullCount > 0 {
            throw KeyError(description: "\(primaryFile): primary key '\(primaryName)' has \(primary.nullCount) missing value(s)")
        }
        if let foreign, foreign.nullCount > 0 {
            throw KeyError(description: "\(foreignFile): context key '\(foreignName)' has \(foreign.nullCount) missing value(s)")
        }
        switch (primary, foreign) {
        case (.int64(let p), .int64(let f)):
            return try resolveIntegers(p.values, primaryName, primaryFile, f.values, foreignName, foreignFile)
        case (.int64(let p), nil):
            return try resolveIntegers(p.values, primaryName, primaryFile, nil, foreignName, foreignFile)
        default:
            return try resolveText(primary, primaryName, primaryFile, foreign, foreignName, foreignFile)
        }
    }

    private static func resolveIntegers(_ primary: Buffer<Int64>, _ primaryName: String, _ primaryFile: String,
                                        _ foreign: Buffer<Int64>?, _ foreignName: String, _ foreignFile: String) throws -> [Int] {
        var rowOf = [Int64: Int](minimumCapacity: primary.count)
        var duplicates: [Int64] = []
        var duplicateCount = 0
        primary.withUnsafeBufferPointer { keys in
            for (row, key) in keys.enumerated() where rowOf.updateValue(row, forKey: key) != nil {
                duplicateCount += 1
                if duplicates.count < 5 { duplicates.append(key) }
            }
        }
        if duplicateCount > 0 {
            throw duplicateError(primaryName, primaryFile, duplicateCount, duplicates.map(String.init))
        }
        guard let foreign else { return [] }
        var result = [Int](repeating: -1, count: foreign.count)
        var missing: [Int64] = []
        var missingCount = 0
        foreign.withUnsafeBufferPointer { keys in
            for (row, key) in keys.enumerated() {
                if let target = rowOf[key] {
                    result[row] = target
                } else {
                    missingCount += 1
                    if missing.count < 5 && !missing.contains(key) { missing.append(key) }
                }
            }
        }
        if missingCount > 0 {
            throw unknownKeyError(foreignName, foreignFile, primaryName, primaryFile, missingCount, missing.map(String.init))
        }
        return result
    }

    private static func resolveText(_ primary: Column, _ primaryName: String, _ primaryFile: String,
                                    _ foreign: Column?, _ foreignName: String, _ foreignFile: String) throws -> [Int] {
        var interner = StringInterner(capacity: primary.count)
        var scratch = [UInt8]()
        var duplicates: [String] = []
        var duplicateCount = 0
        for row in 0..<primary.count {
            let code = Int(withKeyBytes(primary, row, &scratch) { interner.intern($0) })
            if code != row {
                duplicateCount += 1
                if duplicates.count < 5 { duplicates.append(primary.value(at: row)?.description ?? "") }
                // Keep codes aligned with rows: a duplicate did not add an entry, so stop here.
                throw duplicateError(primaryName, primaryFile, duplicateCount, duplicates)
            }
        }
        guard let foreign else { return [] }
        let known = primary.count
        var result = [Int](repeating: -1, count: foreign.count)
        var missing: [String] = []
        var missingCount = 0
        for row in 0..<foreign.count {
            let code = Int(withKeyBytes(foreign, row, &scratch) { interner.intern($0) })
            if code < known {
                result[row] = code
            } else {
                missingCount += 1
                let text = foreign.value(at: row)?.description ?? ""
                if missing.count < 5 && !missing.contains(text) { missing.append(text) }
            }
        }
        if missingCount > 0 {
            throw unknownKeyError(foreignName, foreignFile, primaryName, primaryFile, missingCount, missing)
        }
        return result
    }

    /// The key's bytes: UTF-8 for strings, the decimal text for everything else, so that an
    /// integer key in one file matches the same digits read as text in another.
    private static func withKeyBytes<R>(_ column: Column, _ row: Int, _ scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if case .string(let s) = column { return body(s.utf8(row)) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: (column.value(at: row)?.description ?? "").utf8)
        return scratch.withUnsafeBufferPointer(body)
    }

    private static func duplicateError(_ name: String, _ file: String, _ count: Int, _ examples: [String]) -> KeyError {
        let list = examples.map { "'\($0)'" }.joined(separator: ", ")
        return KeyError(description: "\(file): primary key '\(name)' is not unique: repeated value(s) \(list)" + (count > examples.count ? " and more" : ""))
    }

    private static func unknownKeyError(_ foreignName: String, _ foreignFile: String, _ primaryName: String, _ primaryFile: String,
                                        _ count: Int, _ examples: [String]) -> KeyError {
        let list = examples.map { "'\($0)'" }.joined(separator: ", ")
        return KeyError(description: "\(foreignFile): \(count) row(s) have a context key '\(foreignName)' with no matching '\(primaryName)' in \(primaryFile), e.g. \(list)")
    }
}
