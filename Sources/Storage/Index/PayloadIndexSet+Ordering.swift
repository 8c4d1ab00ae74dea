/// Walking an ordered index (integer, double or datetime keys) in value order, for `order_by`.
extension PayloadIndexSet {
    /// Visits the entries of one numeric tag of `path` as (sortable bits, internal id): by value
    /// and then id, ascending or descending, from the first entry at or after `startBits` in
    /// that direction (inclusive), while `body` returns true.
    func forEachOrderedEntry(
        path: PayloadPath,
        tag: PayloadIndexKey.Tag,
        descending: Bool,
        startBits: UInt64?,
        in transaction: borrowing LMDBTransaction,
        _ body: (_ bits: UInt64, _ internalID: UInt32) throws -> Bool
    ) throws {
        let prefix = PayloadIndexKey.prefix(path: path, tag: tag)
        let startKey = startBits.map { prefix + Self.bigEndianBytes($0) }
        func decode(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> (UInt64, UInt32)? {
            guard key.count == prefix.count + 8, key.starts(with: prefix) else { return nil }
            return (key[prefix.count...].reduce(0) { $0 << 8 | UInt64($1) }, InternalIDBytes.decode(value))
        }
        try transaction.withCursor(on: database) { cursor in
            var entry: (UInt64, UInt32)?
            if !descending {
                entry = try cursor.visit(.atLeast(startKey ?? prefix), decode).flatMap { $0 }
                while let (bits, internalID) = entry, try body(bits, internalID) {
                    entry = try cursor.visit(.next, decode).flatMap { $0 }
                }
                return
            }
            // Descending: land on the first key past the start (or past this tag: the same
            // prefix with the next tag byte), then step back.
            let upperKey = startKey ?? Array(prefix.dropLast()) + [prefix.last! + 1]
            let landed = try cursor.visit(.atLeast(upperKey)) { key, _ in Array(key) }
            if let landed, startKey != nil, landed == upperKey {
                // MDB_LAST_DUP moves to the key's last id but reports no key; read it back.
                _ = try cursor.visit(.lastDuplicate) { _, _ in }
                entry = try cursor.visit(.current, decode).flatMap { $0 }
            } else {
                entry = try cursor.visit(landed == nil ? .last : .previous, decode).flatMap { $0 }
            }
            while let (bits, internalID) = entry, try body(bits, internalID) {
                entry = try cursor.visit(.previous, decode).flatMap { $0 }
            }
        }
    }

    private static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0 ..< 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
