import Synchronization

/// Shares of points passing filters that no index answers, estimated from samples. A share
/// stays valid while the collection's size is within a tenth of what it was when sampled; the
/// cache holds a bounded number of filters and starts over when full.
final class SampledShareCache: Sendable {
    static let capacity = 512
    private let shares = Mutex<[Filter: (share: Double, liveCount: Int)]>([:])

    func share(of filter: Filter, liveCount: Int) -> Double? {
        shares.withLock { table in
            guard let known = table[filter], abs(known.liveCount - liveCount) * 10 <= max(known.liveCount, 1) else { return nil }
            return known.share
        }
    }

    func record(_ share: Double, of filter: Filter, liveCount: Int) {
        shares.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[filter] = (share, liveCount)
        }
    }
}

extension CollectionStore {
    /// Points read to estimate how many of a superset an unindexed filter keeps.
    static let filterSampleSize = 200

    /// Up to `filterSampleSize` positions in 0..<count, one at a pseudo-random place in each of
    /// equal strata: evenly spread, but never in step with a periodic pattern in the ids (every
    /// tenth point of a kind would fool a fixed stride). Deterministic, so plans repeat.
    static func stratifiedSample(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let strata = min(count, filterSampleSize)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0 ..< strata).map { stratum in
            let start = stratum * count / strata
            let end = (stratum + 1) * count / strata
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return start + Int((state >> 33) % UInt64(max(1, end - start)))
        }
    }

    /// The fraction of `superset` that `filter` keeps, from a sample spread evenly over it. A
    /// share of zero sends the search to the exact scan, which is right for a filter that rare.
    func sampledShare(
        _ filter: PreparedFilter, of superset: IDSetExpression, state: CollectionState, in transaction: borrowing LMDBTransaction
    ) throws -> Double {
        let liveCount = Int(state.liveCount)
        if let known = sampledShares.share(of: filter.filter, liveCount: liveCount) { return known }
        var sampled = 0
        var kept = 0
        if !superset.complemented {
            let ids = superset.ids.sortedIDs
            for position in Self.stratifiedSample(ids.count) {
                guard let record = try loadRecord(ids[position], in: transaction) else { continue }
                sampled += 1
                if filter.matches(ids[position], record) { kept += 1 }
            }
        } else {
            // Internal ids are handed out in order, so probing ids spread over the range for
            // the next stored record spreads the sample over the collection's life.
            for probe in Self.stratifiedSample(Int(state.nextInternalID)) {
                try transaction.forEach(in: databases.records, from: InternalIDBytes.encode(UInt32(probe))) { key, value in
                    let internalID = InternalIDBytes.decode(key)
                    guard !superset.ids.contains(internalID) else { return false }
                    sampled += 1
                    if filter.matches(internalID, try PointRecord(decoding: value)) { kept += 1 }
                    return false
                }
            }
        }
        let share = sampled == 0 ? 1 : Double(kept) / Double(sampled)
        sampledShares.record(share, of: filter.filter, liveCount: liveCount)
        return share
    }
}
