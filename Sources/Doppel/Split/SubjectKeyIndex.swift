/// Resolves key columns to row indices, whole columns at a time: built once from the context's
/// primary key (checked to have no missing and no repeated values), it gives the context row of
/// every target row of each batch of the target, with no lookup per subject afterwards.
///
/// Keys match by value: integers as integers, and any other key by its text (an integer key in
/// one file matches the same digits read as text in another).
final class SubjectKeyIndex {
    struct KeyError: Error, CustomStringConvertible {
        let description: String
    }

    private let primary: Column
    private let primaryName: String
    private let primaryFile: String
    /// The row of every key, when the primary key holds integers.
    private let rowOfInteger: [Int64: Int]?
    /// The primary keys' texts, interned in row order (code = row); made on first need.
    private var texts: TextKeys?

    init(primary: Column, name: String, file: String) throws {
        self.primary = primary
        primaryName = name
        primaryFile = file
        if primary.nullCount > 0 {
            throw KeyError(description: "\(file): primary key '\(name)' has \(primary.nullCount) missing value(s)")
        }
        if case .int64(let keys) = primary {
            var rowOf = [Int64: Int](minimumCapacity: keys.count)
            var duplicates: [Int64] = []
            var duplicateCount = 0
            keys.values.withUnsafeBufferPointer { keys in
                for (row, key) in keys.enumerated() where rowOf.updateValue(row, forKey: key) != nil {
                    duplicateCount += 1
                    if duplicates.count < 5 { duplicates.append(key) }
                }
            }
            if duplicateCount > 0 {
                throw Self.duplicateError(name, file, duplicateCount, duplicates.map(String.init))
            }
            rowOfInteger = rowOf
        } else {
            rowOfInteger = nil
            texts = try Self.internedTexts(primary, name: name, file: file)
        }
    }

    /// Checks that `column` (called `name`, in `file`) has no missing and no repeated values.
    static func requireUnique(_ column: Column, name: String, file: String) throws {
        _ = try SubjectKeyIndex(primary: column, name: name, file: file)
    }

    /// For every row of `foreign` (the target's context key, called `name`, in `file`), the row
    /// of the primary key with the same value. Throws when `foreign` holds missing values or
    /// values absent from the primary key.
    func rows(of foreign: Column, name: String, file: String) throws -> [Int] {
        if foreign.nullCount > 0 {
            throw KeyError(description: "\(file): context key '\(name)' has \(foreign.nullCount) missing value(s)")
        }
        var result = [Int](repeating: -1, count: foreign.count)
        var missing: [String] = []
        var missingCount = 0
        if let rowOfInteger, case .int64(let keys) = foreign {
            keys.values.withUnsafeBufferPointer { keys in
                for (row, key) in keys.enumerated() {
                    if let target = rowOfInteger[key] {
                        result[row] = target
                    } else {
                        missingCount += 1
                        if missing.count < 5 && !missing.contains(String(key)) { missing.append(String(key)) }
                    }
                }
            }
        } else {
            if texts == nil { texts = try Self.internedTexts(primary, name: primaryName, file: primaryFile) }
            let known = primary.count
            var scratch = [UInt8]()
            for row in 0..<foreign.count {
                let code = Int(Self.withKeyBytes(foreign, row, &scratch) { texts!.interner.intern($0) })
                if code < known {
                    result[row] = code
                } else {
                    missingCount += 1
                    let text = foreign.value(at: row)?.description ?? ""
                    if missing.count < 5 && !missing.contains(text) { missing.append(text) }
                }
            }
        }
        if missingCount > 0 {
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw KeyError(description: "\(file): \(missingCount) row(s) have a context key '\(name)' with no matching '\(primaryName)' in \(primaryFile), e.g. \(list)")
        }
        return result
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

    /// The keys' texts interned in row order; throws at the first repeated one.
    private static func internedTexts(_ keys: Column, name: String, file: String) throws -> TextKeys {
        let texts = TextKeys(capacity: keys.count)
        var scratch = [UInt8]()
        for row in 0..<keys.count where Int(withKeyBytes(keys, row, &scratch) { texts.interner.intern($0) }) != row {
            // A duplicate adds no entry, so codes and rows part here: stop at the first.
            throw duplicateError(name, file, 1, [keys.value(at: row)?.description ?? ""])
        }
        return texts
    }

    /// The key's bytes: UTF-8 for strings, the decimal text for everything else, so that an
    /// integer key in one file matches the same digits read as text in another.
    static func withKeyBytes<R>(_ column: Column, _ row: Int, _ scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if case .string(let s) = column { return body(s.utf8(row)) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: (column.value(at: row)?.description ?? "").utf8)
        return scratch.withUnsafeBufferPointer(body)
    }

    static func duplicateError(_ name: String, _ file: String, _ count: Int, _ examples: [String]) -> KeyError {
        let list = examples.map { "'\($0)'" }.joined(separator: ", ")
        return KeyError(description: "\(file): primary key '\(name)' is not unique: repeated value(s) \(list)" + (count > examples.count ? " and more" : ""))
    }
}

/// An interner of key texts, shared by reference.
final class TextKeys {
    var interner: StringInterner
    init(capacity: Int) { interner = StringInterner(capacity: capacity) }
}
