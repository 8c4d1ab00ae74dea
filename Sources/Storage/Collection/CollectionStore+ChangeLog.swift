extension CollectionStore {
    /// Change-log entries with sequence numbers above `sequence`, oldest first, at most `limit`.
    public func changes(after sequence: UInt64, limit: Int) throws -> [ChangeEntry] {
        guard limit > 0 else { throw StorageError.invalidLimit(limit) }
        try ensureLive()
        guard sequence < UInt64.max else { return [] }
        return try environment.read { transaction in
            var entries: [ChangeEntry] = []
            try transaction.forEach(in: databases.changes, from: ChangeRecord.key(sequence + 1)) { key, value in
                entries.append(try ChangeRecord.decode(key: key, value: value))
                return entries.count < limit
            }
            return entries
        }
    }
}
