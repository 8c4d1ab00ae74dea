/// Ids described as a set, or as everything (live) except a set, so `must_not` needs no list
/// of all ids until the very end.
struct IDSetExpression: Equatable {
    var ids: InternalIDSet
    var complemented: Bool

    static let everything = IDSetExpression(ids: InternalIDSet(), complemented: true)

    func contains(_ id: UInt32) -> Bool {
        ids.contains(id) != complemented
    }

    var complement: IDSetExpression {
        IDSetExpression(ids: ids, complemented: !complemented)
    }

    /// Everything, with nothing excepted: the neutral element of `intersection`.
    var isEverything: Bool { complemented && ids.isEmpty }

    func intersection(_ other: IDSetExpression) -> IDSetExpression {
        // Most filters intersect one index answer with "everything": no copy of its ids.
        if isEverything { return other }
        if other.isEverything { return self }
        return switch (complemented, other.complemented) {
        case (false, false): IDSetExpression(ids: ids.intersection(other.ids), complemented: false)
        case (false, true): IDSetExpression(ids: ids.subtracting(other.ids), complemented: false)
        case (true, false): IDSetExpression(ids: other.ids.subtracting(ids), complemented: false)
        case (true, true): IDSetExpression(ids: ids.union(other.ids), complemented: true)
        }
    }

    func union(_ other: IDSetExpression) -> IDSetExpression {
        switch (complemented, other.complemented) {
        case (false, false): IDSetExpression(ids: ids.union(other.ids), complemented: false)
        case (false, true): IDSetExpression(ids: other.ids.subtracting(ids), complemented: true)
        case (true, false): IDSetExpression(ids: ids.subtracting(other.ids), complemented: true)
        case (true, true): IDSetExpression(ids: ids.intersection(other.ids), complemented: true)
        }
    }
}

/// What the indexes can say about a filter: a superset of the matching ids, which is the exact
/// answer when every condition was answered from an index (or from the id map).
struct IDBound: Equatable {
    var superset: IDSetExpression
    var isExact: Bool

    static let unknown = IDBound(superset: .everything, isExact: false)
}

/// Turns a filter into id sets and count bounds using the payload indexes, the id map, and
/// the points holding each vector the filter's `has_vector` conditions name.
struct FilterPlanner {
    let indexes: PayloadIndexSet
    let idsDatabase: LMDBDatabase
    let vectorPresence: VectorPresence

    func bound(_ filter: Filter, in transaction: borrowing LMDBTransaction) throws -> IDBound {
        var parts: [IDBound] = []
        for condition in filter.must {
            parts.append(try bound(condition, in: transaction))
        }
        if !filter.should.isEmpty {
            var alternatives: [IDBound] = []
            for condition in filter.should {
                alternatives.append(try bound(condition, in: transaction))
            }
            parts.append(Self.union(alternatives))
        }
        for condition in filter.mustNot {
            let inner = try bound(condition, in: transaction)
            parts.append(inner.isExact ? IDBound(superset: inner.superset.complement, isExact: true) : .unknown)
        }
        return Self.intersection(parts)
    }

    private func bound(_ condition: Condition, in transaction: borrowing LMDBTransaction) throws -> IDBound {
        switch condition {
        case .field(let field) where indexes.covers(field):
            let ids = try indexes.ids(matching: field, in: transaction)
            return IDBound(superset: IDSetExpression(ids: ids, complemented: false), isExact: true)
        case .field(let field) where indexes.narrows(field):
            let ids = try indexes.ids(matching: field, in: transaction)
            return IDBound(superset: IDSetExpression(ids: ids, complemented: false), isExact: false)
        case .hasVector(let name):
            return IDBound(superset: IDSetExpression(ids: vectorPresence.points(having: name), complemented: false), isExact: true)
        case .hasID(let pointIDs):
            var ids: [UInt32] = []
            for pointID in pointIDs {
                if let bytes = try transaction.value(forKey: pointID.storageKey, in: idsDatabase) {
                    ids.append(InternalIDBytes.decode(bytes))
                }
            }
            return IDBound(superset: IDSetExpression(ids: InternalIDSet(ids), complemented: false), isExact: true)
        case .filter(let filter):
            return try bound(filter, in: transaction)
        case .field, .isEmpty, .isNull, .nested:
            return .unknown
        }
    }

    private static func intersection(_ parts: [IDBound]) -> IDBound {
        parts.reduce(IDBound(superset: .everything, isExact: true)) { result, part in
            IDBound(superset: result.superset.intersection(part.superset), isExact: result.isExact && part.isExact)
        }
    }

    private static func union(_ parts: [IDBound]) -> IDBound {
        parts.reduce(IDBound(superset: IDSetExpression(ids: InternalIDSet(), complemented: false), isExact: true)) { result, part in
            IDBound(superset: result.superset.union(part.superset), isExact: result.isExact && part.isExact)
        }
    }

    // MARK: Estimates

    func estimate(_ filter: Filter, liveCount: Int, in transaction: borrowing LMDBTransaction) throws -> CountBounds {
        var parts: [CountBounds] = []
        for condition in filter.must {
            parts.append(try estimate(condition, liveCount: liveCount, in: transaction))
        }
        if !filter.should.isEmpty {
            var alternatives: [CountBounds] = []
            for condition in filter.should {
                alternatives.append(try estimate(condition, liveCount: liveCount, in: transaction))
            }
            parts.append(CountBounds(
                lower: alternatives.map(\.lower).max() ?? 0,
                upper: min(liveCount, alternatives.map(\.upper).reduce(0, +))
            ))
        }
        for condition in filter.mustNot {
            let inner = try estimate(condition, liveCount: liveCount, in: transaction)
            parts.append(CountBounds(lower: liveCount - inner.upper, upper: liveCount - inner.lower))
        }
        // Every part is a subset of the live points; n parts overlap in at least
        // sum(lower) - (n - 1) * live of them.
        let lower = max(0, parts.map(\.lower).reduce(0, +) - max(0, parts.count - 1) * liveCount)
        let upper = parts.map(\.upper).min() ?? liveCount
        return CountBounds(lower: min(lower, upper), upper: upper)
    }

    private func estimate(_ condition: Condition, liveCount: Int, in transaction: borrowing LMDBTransaction) throws -> CountBounds {
        switch condition {
        case .field(let field) where indexes.covers(field) || indexes.narrows(field):
            return try indexes.estimate(field, liveCount: liveCount, in: transaction)
        case .hasVector(let name):
            let count = vectorPresence.points(having: name).count
            return CountBounds(lower: count, upper: count)
        case .hasID(let pointIDs):
            var present = 0
            for pointID in pointIDs where try transaction.contains(key: pointID.storageKey, in: idsDatabase) {
                present += 1
            }
            return CountBounds(lower: present, upper: present)
        case .filter(let filter):
            return try estimate(filter, liveCount: liveCount, in: transaction)
        case .field, .isEmpty, .isNull, .nested:
            return CountBounds(lower: 0, upper: liveCount)
        }
    }
}
