import DoppelTable

/// Joins the columns of several record batches of one field.
///
/// Batches of one file share each dictionary, so dictionary columns are joined by
/// concatenating their codes (no re-interning); everything else goes through
/// ``Column/concatenate(_:)``.
enum ArrowBatchConcatenation {
    static func concatenate(_ parts: [Column]) -> Column {
        if parts.count == 1 { return parts[0] }
        guard let shared = sharedDictionary(parts) else { return Column.concatenate(parts) }
        var codes = BufferBuilder<Int32>(capacity: parts.reduce(0) { $0 + $1.count })
        var anyMissing = false
        for part in parts {
            guard case .string(let c) = part, case .dictionary(let partCodes, _) = c.storage else { continue }
            partCodes.withUnsafeBufferPointer { codes.append(contentsOf: $0) }
            anyMissing = anyMissing || c.nullCount > 0
        }
        var validity: ValidityBitmap?
        if anyMissing {
            var bits = BitmapBuilder(capacity: codes.count)
            for part in parts {
                for row in 0..<part.count { bits.append(part.isValid(row)) }
            }
            validity = bits.finish()
        }
        return .string(StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: shared), validity: validity))
    }

    /// The dictionary all parts share (same memory), if they are all dictionary columns.
    private static func sharedDictionary(_ parts: [Column]) -> StringArray? {
        var first: StringArray?
        for part in parts {
            guard case .string(let c) = part, case .dictionary(_, let dictionary) = c.storage else { return nil }
            if let first {
                let same = first.offsets.storage === dictionary.offsets.storage && first.count == dictionary.count
                    && first.offsets.rawBytes.baseAddress == dictionary.offsets.rawBytes.baseAddress
                guard same else { return nil }
            } else {
                first = dictionary
            }
        }
        return first
    }
}
