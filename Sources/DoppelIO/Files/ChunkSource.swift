import DoppelTable

/// A `nextChunk` source for the streaming writers that hands out `tables` in order, then `nil`.
func chunkSource(_ tables: [Table]) -> () -> Table? {
    var remaining = tables[...]
    return { remaining.popFirst() }
}
