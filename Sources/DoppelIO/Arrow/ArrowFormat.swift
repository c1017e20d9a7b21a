/// Constants of the Arrow IPC format: flatbuffer field ids and enum values from the Arrow
/// schemas `Schema.fbs`, `Message.fbs` and `File.fbs` (Arrow columnar format, version 1.x,
/// metadata version V5).
enum ArrowFormat {
    /// `ARROW1`, at the start (padded to 8 bytes) and at the end of an IPC file.
    static let magic: [UInt8] = Array("ARROW1".utf8)
    /// Marks the start of an encapsulated message (since format 0.15).
    static let continuation: UInt32 = 0xFFFF_FFFF
    /// `MetadataVersion.V5`.
    static let metadataVersionV5: Int16 = 4
    /// Alignment of body buffers and message bodies in files we write (the format asks for at
    /// least 8; 64 matches SIMD widths and cache lines).
    static let bodyAlignment = 64

    /// `union Type` discriminants.
    enum TypeID {
        static let null: UInt8 = 1
        static let int: UInt8 = 2
        static let floatingPoint: UInt8 = 3
        static let binary: UInt8 = 4
        static let utf8: UInt8 = 5
        static let bool: UInt8 = 6
        static let decimal: UInt8 = 7
        static let date: UInt8 = 8
        static let time: UInt8 = 9
        static let timestamp: UInt8 = 10
        static let interval: UInt8 = 11
        static let list: UInt8 = 12
        static let structType: UInt8 = 13
        static let union: UInt8 = 14
        static let fixedSizeBinary: UInt8 = 15
        static let fixedSizeList: UInt8 = 16
        static let map: UInt8 = 17
        static let duration: UInt8 = 18
        static let largeBinary: UInt8 = 19
        static let largeUtf8: UInt8 = 20
        static let largeList: UInt8 = 21
        static let runEndEncoded: UInt8 = 22
        static let binaryView: UInt8 = 23
        static let utf8View: UInt8 = 24
        static let listView: UInt8 = 25
        static let largeListView: UInt8 = 26

        static let names: [UInt8: String] = [
            null: "null", int: "int", floatingPoint: "floating point", binary: "binary", utf8: "utf8", bool: "bool",
            decimal: "decimal", date: "date", time: "time", timestamp: "timestamp", interval: "interval",
            list: "list", structType: "struct", union: "union", fixedSizeBinary: "fixed_size_binary",
            fixedSizeList: "fixed_size_list", map: "map", duration: "duration", largeBinary: "large_binary",
            largeUtf8: "large_utf8", largeList: "large_list", runEndEncoded: "run_end_encoded",
            binaryView: "binary_view", utf8View: "utf8_view", listView: "list_view", largeListView: "large_list_view",
        ]
    }

    /// `union MessageHeader` discriminants.
    enum HeaderType {
        static let schema: UInt8 = 1
        static let dictionaryBatch: UInt8 = 2
        static let recordBatch: UInt8 = 3
    }

    /// `enum TimeUnit`.
    enum TimeUnit {
        static let second: Int16 = 0
        static let millisecond: Int16 = 1
        static let microsecond: Int16 = 2
        static let nanosecond: Int16 = 3
    }

    /// `enum DateUnit` (the `Date` table's default is MILLISECOND).
    enum DateUnit {
        static let day: Int16 = 0
        static let millisecond: Int16 = 1
    }

    /// `enum Precision`.
    enum Precision {
        static let half: Int16 = 0
        static let single: Int16 = 1
        static let double: Int16 = 2
    }

    /// Field ids of the tables we read and write.
    enum Footer { static let version = 0, schema = 1, dictionaries = 2, recordBatches = 3 }
    enum Schema { static let endianness = 0, fields = 1, customMetadata = 2 }
    enum Field { static let name = 0, nullable = 1, typeType = 2, type = 3, dictionary = 4, children = 5 }
    enum KeyValue { static let key = 0, value = 1 }
    enum IntType { static let bitWidth = 0, isSigned = 1 }
    enum FloatingPointType { static let precision = 0 }
    enum TimestampType { static let unit = 0, timezone = 1 }
    enum DateType { static let unit = 0 }
    enum DictionaryEncoding { static let id = 0, indexType = 1, isOrdered = 2 }
    enum Message { static let version = 0, headerType = 1, header = 2, bodyLength = 3 }
    enum RecordBatch { static let length = 0, nodes = 1, buffers = 2, compression = 3, variadicBufferCounts = 4 }
    enum BodyCompression { static let codec = 0, method = 1 }
    enum DictionaryBatch { static let id = 0, data = 1, isDelta = 2 }

    /// Sizes of the structs `FieldNode` (length, null_count), `Buffer` (offset, length) and
    /// `Block` (offset, metaDataLength + 4 padding bytes, bodyLength).
    static let fieldNodeSize = 16
    static let bufferSize = 16
    static let blockSize = 24
}
