import DoppelTable

/// Writes a table as an Arrow IPC file (Arrow columnar format, "IPC File Format"):
///
///     "ARROW1" 00 00 | schema message | dictionary batches | record batch | EOS |
///     footer flatbuffer | int32 footer length | "ARROW1"
///
/// Each encapsulated message is `0xFFFFFFFF`, an int32 metadata length, the `Message`
/// flatbuffer padded so that the body starts at a multiple of 64 bytes in the file, then the
/// body. Everything is uncompressed, so a reader can map fixed-width buffers without copying.
enum ArrowFileWriter {
    typealias F = ArrowFormat

    static func write(_ table: Table, to sink: inout FileSink, metadata: [String: String]) {
        sink.write(F.magic + [0, 0])
        let schema = ArrowMetadataEncoding.schema(table, metadata: metadata)
        _ = writeMessage(headerType: F.HeaderType.schema, header: schema, body: ArrowMessageBody(), to: &sink)

        var dictionaryBlocks: [ArrowBlock] = []
        for (index, column) in table.columns.enumerated() {
            guard case .string(let c) = column, case .dictionary(_, let dictionary) = c.storage else { continue }
            var body = ArrowMessageBody()
            body.addStrings(dictionary, validity: nil)
            let data = ArrowMetadataEncoding.recordBatch(length: dictionary.count, nodes: body.nodes, buffers: body.buffers)
            let header = ArrowMetadataEncoding.dictionaryBatch(id: ArrowMetadataEncoding.dictionaryID(fieldIndex: index), data: data)
            dictionaryBlocks.append(writeMessage(headerType: F.HeaderType.dictionaryBatch, header: header, body: body, to: &sink))
        }

        var body = ArrowMessageBody()
        for column in table.columns { body.addColumn(column) }
        let header = ArrowMetadataEncoding.recordBatch(length: table.rowCount, nodes: body.nodes, buffers: body.buffers)
        let batchBlock = writeMessage(headerType: F.HeaderType.recordBatch, header: header, body: body, to: &sink)

        // End-of-stream marker, so that the file after its magic also reads as an IPC stream.
        sink.write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let footer = FlatBufferBuilder.serialize(ArrowMetadataEncoding.footer(schema: schema, dictionaries: dictionaryBlocks, recordBatches: [batchBlock]))
        sink.write(footer)
        sink.write(littleEndian(Int32(footer.count)))
        sink.write(F.magic)
    }

    /// Writes `first` and then every table `next` returns as consecutive record batches of one
    /// file, holding one batch in memory at a time. String columns are written plain (`utf8`):
    /// the batches' dictionaries differ, and an IPC file cannot replace a dictionary.
    static func writeBatches(first: Table, next: () throws -> Table?, to sink: inout FileSink, metadata: [String: String], path: String) throws {
        func plainStrings(_ table: Table) throws -> Table {
            try Table(schema: table.schema, columns: table.columns.map { column in
                if case .string(let strings) = column { return .string(strings.plain()) }
                return column
            })
        }
        sink.write(F.magic + [0, 0])
        let schema = ArrowMetadataEncoding.schema(try plainStrings(first.slice(0..<0)), metadata: metadata)
        _ = writeMessage(headerType: F.HeaderType.schema, header: schema, body: ArrowMessageBody(), to: &sink)
        var batches: [ArrowBlock] = []
        var table: Table? = first
        while let current = table {
            guard current.schema == first.schema else {
                throw DataFileError(file: path, message: "a chunk's columns (\(current.schema.names)) differ from the file's (\(first.schema.names))")
            }
            var body = ArrowMessageBody()
            for column in try plainStrings(current).columns { body.addColumn(column) }
            let header = ArrowMetadataEncoding.recordBatch(length: current.rowCount, nodes: body.nodes, buffers: body.buffers)
            batches.append(writeMessage(headerType: F.HeaderType.recordBatch, header: header, body: body, to: &sink))
            try sink.checkError()
            table = try next()
        }
        sink.write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let footer = FlatBufferBuilder.serialize(ArrowMetadataEncoding.footer(schema: schema, dictionaries: [], recordBatches: batches))
        sink.write(footer)
        sink.write(littleEndian(Int32(footer.count)))
        sink.write(F.magic)
    }

    /// Writes one encapsulated message; returns its block for the footer.
    private static func writeMessage(headerType: UInt8, header: FlatTable, body: ArrowMessageBody, to sink: inout FileSink) -> ArrowBlock {
        let metadata = FlatBufferBuilder.serialize(ArrowMetadataEncoding.message(headerType: headerType, header: header, bodyLength: body.length))
        let offset = sink.position
        let alignment = F.bodyAlignment
        let prefixed = offset + 8 + metadata.count
        let padding = (alignment - prefixed % alignment) % alignment
        let metadataLength = metadata.count + padding
        sink.write(littleEndian(Int32(bitPattern: F.continuation)))
        sink.write(littleEndian(Int32(metadataLength)))
        sink.write(metadata)
        sink.write([UInt8](repeating: 0, count: padding))
        let bodyStart = sink.position
        for part in body.parts {
            sink.pad(toMultipleOf: alignment)
            withExtendedLifetime(part.storage) { sink.write(part.bytes) }
        }
        sink.write([UInt8](repeating: 0, count: bodyStart + body.length - sink.position))
        return ArrowBlock(offset: Int64(offset), metadataLength: Int32(8 + metadataLength), bodyLength: Int64(body.length))
    }

    private static func littleEndian(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) }
    }
}
