import DoppelTable
import DoppelFiles

/// Reads an Arrow IPC file from a memory mapping: checks both magic strings, decodes the
/// footer, then the dictionary batches and record batches that the footer's blocks point to.
///
/// Every offset and length read from the file is checked against the file or message bounds
/// before use, so a truncated or corrupted file throws instead of reading out of bounds.
struct ArrowFileReader {
    typealias F = ArrowFormat

    let file: MappedFile
    let footer: ArrowFooter
    /// Where the footer begins; messages must end before it.
    let footerStart: Int

    init(path: String) throws {
        let file = try MappedFile(path: path)
        self.file = file
        let (start, buffer) = try ArrowFileReader.locateFooter(file)
        footerStart = start
        footer = try ArrowFormatError.locating(path: path, location: "footer") { () throws(ArrowFormatError) in try ArrowMetadataDecoding.footer(buffer) }
    }

    /// Only the schema's custom metadata, without decoding any column.
    static func readMetadata(path: String) throws -> [String: String] {
        let file = try MappedFile(path: path)
        let (_, buffer) = try locateFooter(file)
        return try ArrowFormatError.locating(path: path, location: "footer") { () throws(ArrowFormatError) in try ArrowMetadataDecoding.footerMetadata(buffer) }
    }

    /// Checks the magic strings and returns the footer flatbuffer and where it starts.
    private static func locateFooter(_ file: MappedFile) throws -> (Int, FlatBufferView) {
        let bytes = file.bytes
        let magic = F.magic
        // "ARROW1" + 2 padding bytes, the smallest schema message, footer length and "ARROW1".
        guard bytes.count >= 8 + 4 + magic.count,
              bytes.prefix(magic.count).elementsEqual(magic),
              bytes.suffix(magic.count).elementsEqual(magic) else {
            throw DataFileError(file: file.path, message: "not an Arrow IPC file (the ARROW1 magic bytes are missing; is the file truncated?)")
        }
        let lengthPosition = bytes.count - magic.count - 4
        let footerLength = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: lengthPosition, as: Int32.self)))
        guard footerLength > 0, footerLength <= lengthPosition - 8 else {
            throw DataFileError(file: file.path, location: "footer", message: "invalid footer length \(footerLength)")
        }
        let start = lengthPosition - footerLength
        return (start, FlatBufferView(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<lengthPosition])))
    }

    func readTable() throws -> Table {
        let path = file.path
        let fields = footer.schema.fields
        try checkSupported(fields)

        var dictionaries: [Int64: StringArray] = [:]
        for (index, block) in footer.dictionaries.enumerated() {
            try ArrowFormatError.locating(path: path, location: "dictionary batch \(index + 1)") { () throws(ArrowFormatError) in
                try readDictionary(block, fields: fields, into: &dictionaries)
            }
        }

        var parts = [[Column]](repeating: [], count: fields.count)
        var rowCount = 0
        for (index, block) in footer.recordBatches.enumerated() {
            let (length, columns) = try ArrowFormatError.locating(path: path, location: "record batch \(index + 1)") { () throws(ArrowFormatError) in
                try readRecordBatch(block, fields: fields, dictionaries: dictionaries)
            }
            guard length <= Int.max / 2 - rowCount else {
                throw DataFileError(file: path, location: "record batch \(index + 1)", message: "implausible row count")
            }
            rowCount += length
            for (i, column) in columns.enumerated() { parts[i].append(column) }
        }

        if fields.isEmpty { return Table(emptyWithRowCount: rowCount) }
        var columns: [Column] = []
        for (i, field) in fields.enumerated() {
            columns.append(parts[i].isEmpty ? ArrowFileReader.emptyColumn(field, dictionary: field.dictionary.flatMap { dictionaries[$0.id] })
                                            : ArrowBatchConcatenation.concatenate(parts[i]))
        }
        do {
            return try Table(fields.indices.map { (fields[$0].name, columns[$0]) })
        } catch {
            throw DataFileError(file: path, message: error.description)
        }
    }

    /// Rejects, before reading any data, fields whose Arrow type has no Doppel column type.
    private func checkSupported(_ fields: [ArrowField]) throws(DataFileError) {
        for field in fields {
            let supported: Bool
            switch field.type {
            case .unsupported: supported = false
            case .utf8, .largeUtf8, .utf8View, .null: supported = true
            default: supported = field.dictionary == nil
            }
            guard supported, field.childCount == 0 else {
                let typeName = field.dictionary == nil ? "\(field.type)" : "dictionary<values=\(field.type)>"
                throw DataFileError(file: file.path, column: field.name, message: "unsupported Arrow type \(typeName)")
            }
        }
    }

    /// Decodes one record batch: its row count and one column per field.
    private func readRecordBatch(_ block: ArrowBlock, fields: [ArrowField], dictionaries: [Int64: StringArray]) throws(ArrowFormatError) -> (Int, [Column]) {
        let (header, body) = try readMessage(block, expecting: F.HeaderType.recordBatch)
        let batch = try ArrowMetadataDecoding.recordBatch(header)
        guard batch.length >= 0, batch.length <= Int64(Int.max / 2) else {
            throw ArrowFormatError("invalid record batch length \(batch.length)")
        }
        var decoder = ArrowColumnDecoder(
            cursor: ArrowBatchCursor(header: batch, body: body, storage: file.storage),
            dictionaries: dictionaries,
            maximumRows: maximumRows
        )
        var columns: [Column] = []
        columns.reserveCapacity(fields.count)
        for field in fields {
            do throws(ArrowFormatError) {
                let column = try decoder.decode(field)
                guard column.count == Int(batch.length) else {
                    throw ArrowFormatError("column has \(column.count) rows but the record batch has \(batch.length)")
                }
                columns.append(column)
            } catch {
                throw ArrowFormatError(error.message, column: field.name)
            }
        }
        return (Int(batch.length), columns)
    }

    /// Bound on the rows of one column, against absurd lengths in corrupted files.
    private var maximumRows: Int { 64 * file.count + (1 << 16) }

    /// Reads the message of `block`: checks it lies inside the file, returns its header table
    /// and its body.
    private func readMessage(_ block: ArrowBlock, expecting headerType: UInt8) throws(ArrowFormatError) -> (FlatTableView, UnsafeRawBufferPointer) {
        let end = Int64(footerStart)
        guard block.offset >= 8, block.offset <= end, block.metadataLength >= 8,
              Int64(block.metadataLength) <= end - block.offset, block.bodyLength >= 0,
              block.bodyLength <= end - block.offset - Int64(block.metadataLength) else {
            throw ArrowFormatError("message block (offset \(block.offset), metadata \(block.metadataLength) bytes, body \(block.bodyLength) bytes) lies outside the file")
        }
        let bytes = file.bytes
        let offset = Int(block.offset)
        let limit = offset + Int(block.metadataLength)
        // Since format 0.15 a message starts with 0xFFFFFFFF; older files start with the length.
        var metadataStart = offset + 4
        var length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        if UInt32(bitPattern: Int32(length)) == F.continuation {
            metadataStart = offset + 8
            length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self)))
        }
        guard length > 0, length <= limit - metadataStart else {
            throw ArrowFormatError("invalid message metadata length \(length)")
        }
        let metadata = FlatBufferView(bytes: UnsafeRawBufferPointer(rebasing: bytes[metadataStart..<(metadataStart + length)]))
        let message = try ArrowMetadataDecoding.message(metadata)
        guard message.headerType == headerType else {
            throw ArrowFormatError("expected message type \(headerType), found \(message.headerType)")
        }
        guard message.bodyLength >= 0, message.bodyLength <= block.bodyLength else {
            throw ArrowFormatError("message body of \(message.bodyLength) bytes exceeds its block (\(block.bodyLength) bytes)")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[limit..<(limit + Int(message.bodyLength))])
        return (message.header, body)
    }

    private func readDictionary(_ block: ArrowBlock, fields: [ArrowField], into dictionaries: inout [Int64: StringArray]) throws(ArrowFormatError) {
        let (header, body) = try readMessage(block, expecting: F.HeaderType.dictionaryBatch)
        let id = try header.int64(F.DictionaryBatch.id)
        guard let field = fields.first(where: { $0.dictionary?.id == id }) else {
            throw ArrowFormatError("dictionary id \(id) belongs to no field")
        }
        guard let data = try header.table(F.DictionaryBatch.data) else { throw ArrowFormatError("dictionary batch without data") }
        let batch = try ArrowMetadataDecoding.recordBatch(data)
        var valueField = field
        valueField.dictionary = nil
        var decoder = ArrowColumnDecoder(cursor: ArrowBatchCursor(header: batch, body: body, storage: file.storage),
                                         dictionaries: [:], maximumRows: maximumRows)
        let column: Column
        do { column = try decoder.decode(valueField) } catch { throw ArrowFormatError(error.message, column: field.name) }
        guard case .string(let strings) = column, case .plain(let values) = strings.storage else {
            throw ArrowFormatError("dictionary values must be strings", column: field.name)
        }
        if try header.bool(F.DictionaryBatch.isDelta), let previous = dictionaries[id] {
            var merged = StringArrayBuilder(capacity: previous.count + values.count)
            for i in 0..<previous.count { merged.append(utf8: previous.utf8(i)) }
            for i in 0..<values.count { merged.append(utf8: values.utf8(i)) }
            dictionaries[id] = merged.finish()
        } else {
            guard dictionaries[id] == nil else { throw ArrowFormatError("dictionary \(id) is replaced, which the IPC file format forbids") }
            dictionaries[id] = values
        }
    }

    static func emptyColumn(_ field: ArrowField, dictionary: StringArray?) -> Column {
        switch field.type {
        case .int(let bitWidth, let signed): return .empty(ArrowColumnDecoder.integerType(bitWidth: bitWidth, signed: signed))
        case .floatingPoint: return .empty(.float64)
        case .bool: return .empty(.bool)
        case .timestamp: return .empty(.timestamp)
        case .date: return .empty(.date)
        default:
            if field.dictionary != nil {
                return .string(StringColumn(storage: .dictionary(codes: Buffer(), dictionary: dictionary ?? StringArray([String]()))))
            }
            return .empty(.string)
        }
    }
}
