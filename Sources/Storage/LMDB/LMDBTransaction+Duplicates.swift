import CLMDB

/// Bulk access to DUPFIXED databases (posting lists): every value of a key as one packed copy.
extension LMDBTransaction {
    /// The values stored under `key`, packed back to back in sorted order; nil if absent.
    public func packedDuplicates(ofKey key: [UInt8], in database: LMDBDatabase) throws -> [UInt8]? {
        try withCursor(on: database) { cursor in
            var packed: [UInt8] = []
            let found = try cursor.forEachDuplicateBatch(ofKey: key) { batch in
                packed.append(contentsOf: batch)
            }
            return found ? packed : nil
        }
    }

    /// Number of values stored under `key` (0 if absent).
    public func duplicateCount(ofKey key: [UInt8], in database: LMDBDatabase) throws -> Int {
        try withCursor(on: database) { cursor in
            guard try cursor.visit(.exactly(key), { _, _ in true }) != nil else { return 0 }
            return try cursor.duplicateCount()
        }
    }

    /// Visits distinct keys in order from `start`, with the number of values of each, while
    /// `body` returns true.
    public func forEachKeyWithCount(
        in database: LMDBDatabase,
        from start: [UInt8],
        _ body: (_ key: [UInt8], _ count: Int) throws -> Bool
    ) throws {
        try withCursor(on: database) { cursor in
            var key = try cursor.visit(.atLeast(start)) { key, _ in Array(key) }
            while let current = key {
                guard try body(current, try cursor.duplicateCount()) else { return }
                key = try cursor.visit(.nextKey) { key, _ in Array(key) }
            }
        }
    }
}
