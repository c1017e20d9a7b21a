import DoppelTable
import DoppelFiles

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
        let schema = writeSchema(of: table, to: &sink, metadata: metadata)
        var dictionaryBlocks: [ArrowBlock] = []
        for (index, column) in table.columns.enumerated() {
            guard case .string(let c) = column, case .dictionary(_, let dictionary) = c.storage else { continue }
            var body = ArrowMessageBody()
            body.addStrings(dictionary, validity: nil)
            let data = ArrowMetadataEncoding.recordBatch(length: dictionary.count, nodes: body.nodes, buffers: body.buffers)
            let header = ArrowMetadataEncoding.dictionaryBatch(id: ArrowMetadataEncoding.dictionaryID(fieldIndex: index), data: data)
            dictionaryBlocks.append(writeMessage(headerType: F.HeaderType.dictionaryBatch, header: header, body: body, to: &sink))
        }
        let batch = writeRecordBatch(table, to: &sink)
        writeFooter(schema: schema, dictionaries: dictionaryBlocks, batches: [batch], to: &sink)
    }

    /// Starts a file of several record batches of `schema`: the magic and the schema message, with
    /// string columns plain (`utf8`): the batches' dictionaries differ, and an IPC file cannot
    /// replace a dictionary. Returns the schema for the footer.
    static func beginBatches(schema: Schema, to sink: inout FileSink, metadata: [String: String]) -> FlatTable {
        // An empty table of `schema` has plain string columns.
        writeSchema(of: Table(emptyWith: schema), to: &sink, metadata: metadata)
    }

    /// Appends `table` (which must have `schema`) as the next record batch, strings plain.
    static func appendBatch(_ table: Table, schema: Schema, to sink: inout FileSink, path: String) throws -> ArrowBlock {
        try checkChunk(table, matches: schema, path: path)
        let plain = try Table(schema: table.schema, columns: table.columns.map { column in
            if case .string(let strings) = column { return .string(strings.plain()) }
            return column
        })
        let block = writeRecordBatch(plain, to: &sink)
        try sink.checkError()
        return block
    }

    /// Ends a file begun by ``beginBatches(schema:to:metadata:)``.
    static func finishBatches(schema: FlatTable, batches: [ArrowBlock], to sink: inout FileSink) {
        writeFooter(schema: schema, dictionaries: [], batches: batches, to: &sink)
    }

    /// The leading magic and the schema message of `table`; returns the schema for the footer.
    private static func writeSchema(of table: Table, to sink: inout FileSink, metadata: [String: String]) -> FlatTable {
        sink.write(F.magic + [0, 0])
        let schema = ArrowMetadataEncoding.schema(table, metadata: metadata)
        _ = writeMessage(headerType: F.HeaderType.schema, header: schema, body: ArrowMessageBody(), to: &sink)
        return schema
    }

    /// One record batch of every column of `table`; returns its block for the footer.
    private static func writeRecordBatch(_ table: Table, to sink: inout FileSink) -> ArrowBlock {
        var body = ArrowMessageBody()
        for column in table.columns { body.addColumn(column) }
        let header = ArrowMetadataEncoding.recordBatch(length: table.rowCount, nodes: body.nodes, buffers: body.buffers)
        return writeMessage(headerType: F.HeaderType.recordBatch, header: header, body: body, to: &sink)
    }

    /// The end-of-stream marker (so that the file after its magic also reads as an IPC stream),
    /// the footer, its length and the closing magic.
    private static func writeFooter(schema: FlatTable, dictionaries: [ArrowBlock], batches: [ArrowBlock], to sink: inout FileSink) {
        sink.write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let footer = FlatBufferBuilder.serialize(ArrowMetadataEncoding.footer(schema: schema, dictionaries: dictionaries, recordBatches: batches))
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
