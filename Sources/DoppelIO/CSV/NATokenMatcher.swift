/// Recognises the missing-value tokens of an unquoted field with a cheap first check (length
/// and first byte) so that ordinary values cost two comparisons.
struct NATokenMatcher: Sendable {
    /// The tokens' bytes (empty tokens left out).
    let tokens: [[UInt8]]
    private let maxLength: Int
    /// Bit sets of the tokens' ASCII first bytes (0–63 and 64–127).
    private let lowFirstBytes: UInt64
    private let highFirstBytes: UInt64
    /// Some token starts with a non-ASCII byte (then such fields take the slow check).
    private let nonASCIIFirstByte: Bool

    init(_ tokens: [String]) {
        let list = tokens.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.tokens = list
        maxLength = list.map(\.count).max() ?? 0
        var low: UInt64 = 0, high: UInt64 = 0
        var nonASCII = false
        for token in list {
            let b = token[0]
            if b < 64 { low |= 1 << UInt64(b) } else if b < 128 { high |= 1 << UInt64(b - 64) } else { nonASCII = true }
        }
        lowFirstBytes = low
        highFirstBytes = high
        nonASCIIFirstByte = nonASCII
    }

    /// True when `field` (non-empty) equals one of the tokens.
    @inline(__always)
    func matches(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard field.count <= maxLength, let first = field.first else { return false }
        if first < 128 {
            let word = first < 64 ? lowFirstBytes : highFirstBytes
            guard word & (1 << UInt64(first & 63)) != 0 else { return false }
        } else if !nonASCIIFirstByte {
            return false
        }
        return tokens.contains { $0.count == field.count && $0.elementsEqual(field) }
    }

    /// True when `bytes` equal one of the tokens (for the writer, which must quote such strings).
    func matches(_ bytes: [UInt8]) -> Bool { tokens.contains(bytes) }
}
