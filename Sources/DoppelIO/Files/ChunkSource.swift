import DoppelTable
import DoppelFiles

/// A `nextChunk` source for the streaming writers that hands out `tables` in order, then `nil`.
func chunkSource(_ tables: [Table]) -> () -> Table? {
    var remaining = tables[...]
    return { remaining.popFirst() }
}

/// Every streaming writer's check of a chunk: it must have the file's columns and types.
func checkChunk(_ chunk: Table, matches schema: Schema, path: String) throws(DataFileError) {
    guard chunk.schema == schema else {
        throw DataFileError(file: path, message: "a chunk's columns (\(chunk.schema.names)) differ from the file's (\(schema.names))")
    }
}
