extension CollectionStore {
    /// The points with these ids, in request order; ids that do not exist are left out.
    public func get(ids: [PointID], withVector: Bool = true) throws -> [Point] {
        try ensureLive()
        return try environment.read { transaction in
            var points: [Point] = []
            for id in ids {
                if let internalID = try internalID(of: id.storageKey, in: transaction) {
                    points.append(try loadPoint(internalID, withVector: withVector, in: transaction))
                }
            }
            return points
        }
    }

    /// The live point holding this internal id, or nil if the id is dead or unknown.
    public func point(internalID: UInt32, withVector: Bool = true) throws -> Point? {
        try points(internalIDs: [internalID], withVector: withVector)[0]
    }

    /// Resolves many internal ids (search results) in one read transaction; dead ids give nil.
    /// Without `withPayload` payloads are not decoded and come back empty.
    public func points(internalIDs: [UInt32], withVector: Bool = false, withPayload: Bool = true) throws -> [Point?] {
        try ensureLive()
        let points = try environment.read { transaction in
            try internalIDs.map { internalID in
                try loadRecord(internalID, payload: withPayload, in: transaction).map { record in
                    try makePoint(internalID, record: record, withVector: withVector, in: transaction)
                }
            }
        }
        environment.noteMappedReads(internalIDs.count)
        return points
    }

    /// The vectors of live internal ids (nil for dead ones), for re-ranking or graph repair.
    public func vectors(internalIDs: [UInt32]) throws -> [[Float]?] {
        try ensureLive()
        return try environment.read { transaction in
            try internalIDs.map { try loadVector($0, in: transaction) }
        }
    }

    /// The named dense and sparse vectors of live internal ids (nil for dead ones), for the
    /// indexes of those vectors.
    public func extraVectors(internalIDs: [UInt32]) throws -> [(dense: [String: [Float]], sparse: [String: SparseVectorValue])?] {
        try ensureLive()
        return try environment.read { transaction in
            try internalIDs.map { internalID in
                guard try transaction.value(forKey: InternalIDBytes.encode(internalID), in: databases.records) != nil else { return nil }
                return try loadExtraVectors(internalID, in: transaction)
            }
        }
    }

    /// Calls `body` with every live point's named dense and sparse vectors (points that have
    /// any), in internal id order, from one snapshot; returns its last sequence number.
    @discardableResult
    public func forEachExtraVectors(
        _ body: (_ internalID: UInt32, _ dense: [String: [Float]], _ sparse: [String: SparseVectorValue]) throws -> Void
    ) throws -> UInt64 {
        try ensureLive()
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            try transaction.forEach(in: databases.extraVectors) { key, value in
                let decoded = try ExtraVectorsRecord.decode(value)
                try body(InternalIDBytes.decode(key), decoded.dense, decoded.sparse)
                return true
            }
            return state.lastSequence
        }
    }

    /// Calls `body` with every live vector in internal id order, all from one snapshot, and
    /// returns that snapshot's last sequence number: the log position an index built from
    /// these vectors must catch up from. `body` runs inside a read transaction, so keep it
    /// short of other writes to this collection.
    @discardableResult
    public func forEachVector(_ body: (_ internalID: UInt32, _ vector: [Float]) throws -> Void) throws -> UInt64 {
        try ensureLive()
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            try transaction.forEachFloatValue(in: databases.vectors, prefixLength: RecordHeader.byteCount) { key, value in
                try body(InternalIDBytes.decode(key), try VectorRecord.decode(value))
                return true
            }
            return state.lastSequence
        }
    }

    /// A page of points in id order starting at `offset` (inclusive, like Qdrant's `offset`),
    /// optionally filtered. `nextOffset` is the first id of the following page.
    public func scroll(from offset: PointID? = nil, limit: Int, filter: Filter? = nil, withVector: Bool = false) throws -> ScrollPage {
        guard limit > 0 else { throw StorageError.invalidLimit(limit) }
        try ensureLive()
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            let filter = try filter.map { try prepare($0, state: state, in: transaction) }
            let bound = try filter?.bound(in: transaction) ?? IDBound(superset: .everything, isExact: true)
            if !bound.superset.complemented, bound.superset.ids.count <= Self.sortedScrollThreshold(liveCount: state.liveCount) {
                return try scrollSmallSet(bound, filter: filter, from: offset, limit: limit, withVector: withVector, in: transaction)
            }
            var matched: [(PointID, UInt32)] = []
            try transaction.forEach(in: databases.ids, from: offset?.storageKey) { key, value in
                let internalID = InternalIDBytes.decode(value)
                guard bound.superset.contains(internalID) else { return true }
                if !bound.isExact, let filter {
                    guard filter.matches(internalID, try requireRecord(internalID, in: transaction)) else { return true }
                }
                matched.append((try PointID(storageKey: key), internalID))
                return matched.count <= limit
            }
            return try page(from: matched, limit: limit, withVector: withVector, in: transaction)
        }
    }

    /// Below this many candidates, sorting them by id beats walking the whole id map.
    static func sortedScrollThreshold(liveCount: UInt64) -> Int {
        max(10_000, Int(liveCount / 20))
    }

    private func scrollSmallSet(
        _ bound: IDBound,
        filter: PreparedFilter?,
        from offset: PointID?,
        limit: Int,
        withVector: Bool,
        in transaction: borrowing LMDBTransaction
    ) throws -> ScrollPage {
        var candidates: [(PointID, UInt32)] = []
        for internalID in bound.superset.ids.sortedIDs {
            let record = try requireRecord(internalID, in: transaction)
            if let offset, record.id < offset { continue }
            if !bound.isExact, let filter, !filter.matches(internalID, record) { continue }
            candidates.append((record.id, internalID))
        }
        candidates.sort { $0.0 < $1.0 }
        return try page(from: Array(candidates.prefix(limit + 1)), limit: limit, withVector: withVector, in: transaction)
    }

    private func page(from matched: [(PointID, UInt32)], limit: Int, withVector: Bool, in transaction: borrowing LMDBTransaction) throws -> ScrollPage {
        var points: [Point] = []
        for (_, internalID) in matched.prefix(limit) {
            points.append(try loadPoint(internalID, withVector: withVector, in: transaction))
        }
        return ScrollPage(points: points, nextOffset: matched.count > limit ? matched[limit].0 : nil)
    }

    /// Number of live points matching `filter` (all live points when nil).
    public func count(filter: Filter?) throws -> Int {
        guard let filter else { return try count() }
        try ensureLive()
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            let prepared = try prepare(filter, state: state, in: transaction)
            let bound = try prepared.bound(in: transaction)
            if bound.isExact {
                let size = bound.superset.ids.count
                return bound.superset.complemented ? Int(state.liveCount) - size : size
            }
            return try matchingIDs(prepared, in: transaction).count
        }
    }

    func loadPoint(_ internalID: UInt32, withVector: Bool, in transaction: borrowing LMDBTransaction) throws -> Point {
        try makePoint(internalID, record: try requireRecord(internalID, in: transaction), withVector: withVector, in: transaction)
    }

    private func makePoint(_ internalID: UInt32, record: PointRecord, withVector: Bool, in transaction: borrowing LMDBTransaction) throws -> Point {
        guard withVector else {
            return Point(id: record.id, internalID: internalID, vector: nil, payload: record.payload, text: record.text)
        }
        // A point of a named-vector collection may lack the primary vector.
        let extra = try loadExtraVectors(internalID, in: transaction)
        return Point(id: record.id, internalID: internalID, vector: try loadVector(internalID, in: transaction), payload: record.payload,
                     text: record.text, namedVectors: extra.dense, sparseVectors: extra.sparse)
    }
}
