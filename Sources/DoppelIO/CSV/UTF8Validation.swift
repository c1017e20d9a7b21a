import DoppelTable

/// UTF-8 well-formedness (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing
/// above U+10FFFF), with an 8-bytes-at-a-time ASCII fast path.
enum UTF8Validation {
    /// The first value of `strings` that is not well-formed UTF-8, if any (the whole byte buffer
    /// first: all ASCII means every value is valid).
    static func firstInvalid(_ strings: StringArray) -> Int? {
        if strings.bytes.withUnsafeBufferPointer({ isASCII($0) }) { return nil }
        for i in 0..<strings.count where !isValid(strings.utf8(i)) { return i }
        return nil
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        var i = 0, seen: UInt64 = 0
        while i + 8 <= bytes.count { seen |= UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self); i += 8 }
        while i < bytes.count { seen |= UInt64(p[i]); i += 1 }
        return seen & 0x8080_8080_8080_8080 == 0
    }

    @inline(__always)
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return validateMultibyte(p, from: i, count: n) }
            i += 8
        }
        while i < n {
            if p[i] >= 0x80 { return validateMultibyte(p, from: i, count: n) }
            i += 1
        }
        return true
    }

    private static func validateMultibyte(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Bool {
        var i = start
        @inline(__always) func continuation(_ k: Int) -> Bool { k < n && p[k] & 0xC0 == 0x80 }
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            switch b {
            case 0xC2...0xDF:
                guard continuation(i + 1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard i + 2 < n, continuation(i + 1), continuation(i + 2) else { return false }
                let b1 = p[i + 1]
                if b == 0xE0 && b1 < 0xA0 { return false }      // overlong
                if b == 0xED && b1 > 0x9F { return false }      // surrogates
                i += 3
            case 0xF0...0xF4:
                guard i + 3 < n, continuation(i + 1), continuation(i + 2), continuation(i + 3) else { return false }
                let b1 = p[i + 1]
                if b == 0xF0 && b1 < 0x90 { return false }      // overlong
                if b == 0xF4 && b1 > 0x8F { return false }      // above U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
