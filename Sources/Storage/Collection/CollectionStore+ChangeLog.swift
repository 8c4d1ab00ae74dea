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
            // Sequences are contiguous, so a missing successor can only mean truncation; a
            // silent skip would leave an index without those changes.
            if entries.first?.sequence != sequence + 1, sequence < (try readState(in: transaction)).lastSequence {
                throw StorageError.changeLogTruncated(after: sequence, oldestRetained: entries.first?.sequence)
            }
            return entries
        }
    }

    /// Drops the change-log entries up to and including `sequence` (never past the last one),
    /// in transactions of bounded size; LMDB reuses the freed pages. Returns how many went.
    @discardableResult
    public func truncateChanges(through sequence: UInt64) throws -> Int {
        try ensureLive()
        var removed = 0
        while true {
            let batch = try environment.write { [self] transaction -> Int in
                let last = try readState(in: transaction).lastSequence
                var keys: [[UInt8]] = []
                try transaction.forEachKey(in: databases.changes) { key in
                    guard let entrySequence = ChangeRecord.sequence(ofKey: key), entrySequence <= min(sequence, last) else { return false }
                    keys.append(key)
                    return keys.count < 10_000
                }
                for key in keys { try transaction.delete(key: key, in: databases.changes) }
                return keys.count
            }
            removed += batch
            if batch < 10_000 { return removed }
        }
    }

    /// The oldest sequence the log still holds and how many entries it holds.
    public func changeLogExtent() throws -> (oldest: UInt64?, entries: Int) {
        try ensureLive()
        return try environment.read { transaction in
            var oldest: UInt64?
            try transaction.forEachKey(in: databases.changes) { key in
                oldest = ChangeRecord.sequence(ofKey: key)
                return false
            }
            return (oldest, try transaction.entryCount(in: databases.changes))
        }
    }
}
