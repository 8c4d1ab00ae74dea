/// Index answers for full-text conditions (one key per token) and datetime ranges (one key per
/// instant, in time order).
extension PayloadIndexSet {
    /// All tokens (and phrases, whose candidates must have all tokens): the intersection of
    /// the tokens' id lists. Any token: their union. A query without tokens matches nothing.
    func ids(matching match: TextMatch, path: PayloadPath, in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        let tokens = match.distinctQueryTokens
        guard !tokens.isEmpty else { return InternalIDSet() }
        var perToken: [InternalIDSet] = []
        for token in tokens {
            let ids = try postings(of: PayloadIndexKey.tokenKey(path: path, token), in: transaction)
            if ids.isEmpty, match.mode != .anyToken { return InternalIDSet() }
            perToken.append(ids)
        }
        if match.mode == .anyToken {
            return perToken.reduce(InternalIDSet()) { $0.union($1) }
        }
        // Smallest first, so every intersection is at most as large as the rarest token.
        perToken.sort { $0.count < $1.count }
        return perToken.dropFirst().reduce(perToken[0]) { $0.intersection($1) }
    }

    func estimate(_ match: TextMatch, path: PayloadPath, liveCount: Int, in transaction: borrowing LMDBTransaction) throws -> CountBounds {
        let tokens = match.distinctQueryTokens
        guard !tokens.isEmpty else { return CountBounds(lower: 0, upper: 0) }
        let counts = try tokens.map { try transaction.duplicateCount(ofKey: PayloadIndexKey.tokenKey(path: path, $0), in: database) }
        switch match.mode {
        case .anyToken:
            return CountBounds(lower: counts.max() ?? 0, upper: min(liveCount, counts.reduce(0, +)))
        case .allTokens:
            let rarest = counts.min() ?? 0
            return CountBounds(lower: counts.count == 1 ? rarest : 0, upper: rarest)
        case .phrase:
            return CountBounds(lower: 0, upper: counts.min() ?? 0)
        }
    }

    /// The ids filed under one key, sorted (DUPSORT keeps 4-byte big-endian ids in order).
    func postings(of key: [UInt8], in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        guard let packed = try transaction.packedDuplicates(ofKey: key, in: database) else { return InternalIDSet() }
        var ids: [UInt32] = []
        ids.reserveCapacity(packed.count / 4)
        var offset = 0
        while offset < packed.count {
            ids.append(InternalIDBytes.decode(packed[offset ..< offset + 4]))
            offset += 4
        }
        return InternalIDSet(sortedUnique: ids)
    }

    /// Visits the datetime keys whose instant lies in `range`, in time order, with their id
    /// counts. Returns false if `budget` keys were read before the end.
    @discardableResult
    func forEachDatetimeKey(
        in range: DatetimeRange,
        path: PayloadPath,
        transaction: borrowing LMDBTransaction,
        budget: Int?,
        _ body: (_ key: [UInt8], _ count: Int) throws -> Void
    ) throws -> Bool {
        var remaining = budget ?? .max
        var stoppedEarly = false
        let prefix = PayloadIndexKey.prefix(path: path, tag: .datetime)
        try transaction.forEachKeyWithCount(in: database, from: PayloadIndexKey.datetimeKey(path: path, range.lowestAdmitted)) { key, count in
            guard key.starts(with: prefix) else { return false }
            let instant = PayloadIndexKey.integer(fromSortableBits: PayloadIndexKey.trailingBits(key, prefixLength: prefix.count))
            guard range.satisfiesLowerBounds(instant) else { return true }
            guard range.satisfiesUpperBounds(instant) else { return false }
            guard remaining > 0 else { stoppedEarly = true; return false }
            remaining -= 1
            try body(key, count)
            return true
        }
        return !stoppedEarly
    }
}
