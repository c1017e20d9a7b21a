/// Recognises the missing-value tokens of an unquoted field with a cheap first check (length
/// and first byte) so that ordinary values cost two comparisons.
struct NATokenMatcher: Sendable {
    private let tokens: [[UInt8]]
    private let maxLength: Int
    /// Bit set of the tokens' first bytes.
    private let firstBytes: (UInt64, UInt64, UInt64, UInt64)

    init(_ tokens: [String]) {
        let list = tokens.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.tokens = list
        maxLength = list.map(\.count).max() ?? 0
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for token in list {
            let b = Int(token[0])
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: bits.0 |= bit
            case 1: bits.1 |= bit
            case 2: bits.2 |= bit
            default: bits.3 |= bit
            }
        }
        firstBytes = bits
    }

    /// True when `field` (non-empty) equals one of the tokens.
    @inline(__always)
    func matches(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard field.count <= maxLength, let first = field.first else { return false }
        let b = Int(first)
        let word: UInt64
        switch b >> 6 {
        case 0: word = firstBytes.0
        case 1: word = firstBytes.1
        case 2: word = firstBytes.2
        default: word = firstBytes.3
        }
        guard word & (UInt64(1) << UInt64(b & 63)) != 0 else { return false }
        return tokens.contains { $0.count == field.count && $0.elementsEqual(field) }
    }

    /// True when `bytes` equal one of the tokens (for the writer, which must quote such strings).
    func matches(_ bytes: [UInt8]) -> Bool { tokens.contains(bytes) }
}
