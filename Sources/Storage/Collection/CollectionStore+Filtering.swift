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

/// A filter made ready for one read transaction: its full-text conditions tokenize as their
/// fields' text indexes do, and its `has_vector` names are checked and resolved to id sets.
/// Every evaluation in the store goes through one, so index answers and per-point checks of
/// the same condition always agree.
struct PreparedFilter {
    let filter: Filter
    let planner: FilterPlanner

    func bound(in transaction: borrowing LMDBTransaction) throws -> IDBound {
        try planner.bound(filter, in: transaction)
    }

    func matches(_ internalID: UInt32, _ record: PointRecord) -> Bool {
        filter.matches(id: record.id, payload: record.payload) { planner.vectorPresence.point(internalID, has: $0) }
    }
}

extension CollectionStore {
    func prepare(_ filter: Filter, state: CollectionState, in transaction: borrowing LMDBTransaction) throws -> PreparedFilter {
        let configuration = try configuration(in: transaction, state: state)
        let indexes = configuration.indexes
        let bound = filter.bindingTextTokenizers { field in
            guard case .text(let tokenizer)? = configuration.schema.payloadIndexes[field] else { return nil }
            return tokenizer
        }
        let presence = try vectorPresence(for: filter.vectorNamesAsked, schema: configuration.schema, in: transaction)
        return PreparedFilter(filter: bound, planner: FilterPlanner(indexes: indexes, idsDatabase: databases.ids, vectorPresence: presence))
    }

    /// The points holding each named vector: the primary from `vectors`, the others from the
    /// names in `extra_vectors` records. One pass over each database, only when asked.
    private func vectorPresence(for names: Set<String>, schema: CollectionSchema, in transaction: borrowing LMDBTransaction) throws -> VectorPresence {
        guard !names.isEmpty else { return .none }
        // The unnamed form has one vector, which Qdrant calls "".
        let known = schema.vectorName == nil ? [""] : schema.vectorNames
        if let unknown = names.sorted().first(where: { !known.contains($0) }) {
            throw StorageError.unknownFilterVector(name: unknown, collection: name, known: known)
        }
        var pointsByVector: [String: InternalIDSet] = [:]
        if names.contains(schema.primaryVectorName) {
            var ids: [UInt32] = []
            try transaction.forEachKey(in: databases.vectors) { key in
                ids.append(InternalIDBytes.decode(key))
                return true
            }
            pointsByVector[schema.primaryVectorName] = InternalIDSet(sortedUnique: ids)
        }
        let extraNames = names.subtracting([schema.primaryVectorName])
        if !extraNames.isEmpty {
            var ids: [String: [UInt32]] = Dictionary(uniqueKeysWithValues: extraNames.map { ($0, []) })
            try transaction.forEach(in: databases.extraVectors) { key, value in
                let internalID = InternalIDBytes.decode(key)
                for vector in try ExtraVectorsRecord.vectorNames(value) where extraNames.contains(vector) {
                    ids[vector]!.append(internalID)
                }
                return true
            }
            for (vector, list) in ids {
                pointsByVector[vector] = InternalIDSet(sortedUnique: list)
            }
        }
        return VectorPresence(pointsByVector: pointsByVector)
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
            let prepared = try prepare(filter, state: state, in: transaction)
            let liveCount = Int(state.liveCount)
            let bounds = try prepared.planner.estimate(prepared.filter, liveCount: liveCount, in: transaction)
            let covered = try prepared.bound(in: transaction).isExact
            return SelectivityEstimate(
                lowerBound: bounds.lower,
                upperBound: bounds.upper,
                liveCount: liveCount,
                isCoveredByIndexes: covered
            )
        }
    }

    func matchingIDs(_ filter: Filter, state: CollectionState, in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        try matchingIDs(try prepare(filter, state: state, in: transaction), in: transaction)
    }

    func matchingIDs(_ filter: PreparedFilter, in transaction: borrowing LMDBTransaction) throws -> InternalIDSet {
        let bound = try filter.bound(in: transaction)
        let superset = bound.superset
        if !superset.complemented {
            if bound.isExact { return superset.ids }
            return InternalIDSet(sortedUnique: try superset.ids.sortedIDs.filter { internalID in
                filter.matches(internalID, try requireRecord(internalID, in: transaction))
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
                if filter.matches(internalID, try PointRecord(decoding: value)) {
                    matched.append(internalID)
                }
                return true
            }
        }
        return InternalIDSet(sortedUnique: matched)
    }
}
