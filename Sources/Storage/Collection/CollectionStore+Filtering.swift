/// How many points a filter may match, from index counts alone (no payloads read).
public struct SelectivityEstimate: Sendable, Hashable {
    /// At least this many live points match.
    public var lowerBound: Int
    /// At most this many live points match.
    public var upperBound: Int
    public var liveCount: Int
    /// Every condition was answered by an index or the id map (so `matchingInternalIDs` reads
    /// no payloads).
    public var isCoveredByIndexes: Bool

    /// Upper bound as a fraction of the live points: the number to compare with a threshold
    /// when choosing between filtered graph search and an exact scan of the matches.
    public var upperFraction: Double {
        liveCount == 0 ? 0 : Double(upperBound) / Double(liveCount)
    }
}

extension CollectionStore {
    func planner(in transaction: borrowing LMDBTransaction, state: CollectionState) throws -> FilterPlanner {
        FilterPlanner(indexes: try payloadIndexes(in: transaction, state: state), idsDatabase: databases.ids)
    }

    /// Exactly the live internal ids matching `filter`, sorted. Uses the payload indexes where
    /// they answer a condition, and reads payloads only for what they cannot decide.
    public func matchingInternalIDs(_ filter: Filter) throws -> InternalIDSet {
        try ensureLive()
        return try environment.read { transaction in
            try matchingIDs(filter, state: try readState(in: transaction), in: transaction)
        }
    }

    public func estimateSelectivity(of filter: Filter) throws -> SelectivityEstimate {
        try ensureLive()
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            let planner = try planner(in: transaction, state: state)
            let liveCount = Int(state.liveCount)
            let bounds = try planner.estimate(filter, liveCount: liveCount, in: transaction)
            let covered = try planner.bound(filter, in: transaction).isExact
            return SelectivityEstimate(
                lowerBound: bounds.lower,
                upperBound: bounds.upper,
                liveCount: liveCount,
                isCoveredByIndexes: covered
            )
        }
    }

    func matchingIDs(_ filter: Filter, state: CollectionState, in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        let bound = try planner(in: transaction, state: state).bound(filter, in: transaction)
        let superset = bound.superset
        if !superset.complemented {
            if bound.isExact { return superset.ids }
            return InternalIDSet(sortedUnique: try superset.ids.sortedIDs.filter { internalID in
                let record = try requireRecord(internalID, in: transaction)
                return filter.matches(id: record.id, payload: record.payload)
            })
        }
        // Everything except a set: walk the live ids, reading payloads only when the indexes
        // left the answer open.
        var matched: [UInt32] = []
        if bound.isExact {
            try transaction.forEachKey(in: databases.records) { key in
                let internalID = InternalIDBytes.decode(key)
                if !superset.ids.contains(internalID) {
                    matched.append(internalID)
                }
                return true
            }
        } else {
            try transaction.forEach(in: databases.records) { key, value in
                let internalID = InternalIDBytes.decode(key)
                guard !superset.ids.contains(internalID) else { return true }
                let record = try PointRecord(decoding: value)
                if filter.matches(id: record.id, payload: record.payload) {
                    matched.append(internalID)
                }
                return true
            }
        }
        return InternalIDSet(sortedUnique: matched)
    }
}
