import Synchronization

/// How a filtered search reaches the points its filter admits, chosen from what the payload
/// indexes count, before any id is listed.
public enum FilterAccess {
    /// Few enough matches for an exact scan: exactly these.
    case matches(InternalIDSet)
    /// Too many to list: a per-point test for the graph or posting walk.
    case membership(FilterMembership)
}

/// The filters of one search, planned and checked inside one read transaction, so every
/// per-node check sees the same snapshot and no transaction is begun per node. Valid only
/// inside `CollectionStore.withFilterScope`, on the thread that runs it.
public final class FilterScope {
    private let store: CollectionStore
    private let reader: ScopedReader
    private let state: CollectionState
    private var planned: [PlanKey: FilterAccess] = [:]
    private var memberships: [FilterMembership] = []

    fileprivate init(store: CollectionStore, reader: ScopedReader, state: CollectionState) {
        self.store = store
        self.reader = reader
        self.state = state
    }

    /// The access for `filter` when at most `exactLimit` matches go to an exact scan. The same
    /// filter and limit asked twice (prefetches under one filtered node) are planned once.
    public func access(_ filter: Filter, exactLimit: Int) throws -> FilterAccess {
        let key = PlanKey(filter: filter, exactLimit: exactLimit)
        if let known = planned[key] { return known }
        let access = try plan(filter, exactLimit: exactLimit, in: reader.transaction)
        if case let .membership(membership) = access { memberships.append(membership) }
        planned[key] = access
        return access
    }

    private func plan(_ filter: Filter, exactLimit: Int, in transaction: borrowing LMDBTransaction) throws -> FilterAccess {
        let prepared = try store.prepare(filter, state: state, in: transaction)
        let liveCount = Int(state.liveCount)
        // Counting first: a filter the indexes bound to a few points never builds a bitmap.
        let bounds = try prepared.planner.estimate(prepared.filter, liveCount: liveCount, in: transaction)
        if bounds.upper <= exactLimit {
            return .matches(try store.matchingIDs(prepared, in: transaction))
        }
        let bound = try prepared.bound(in: transaction)
        let superset = bound.superset
        let supersetCount = superset.complemented ? max(0, liveCount - superset.ids.count) : superset.ids.count
        if !superset.complemented, supersetCount <= exactLimit {
            return .matches(try store.matchingIDs(prepared, in: transaction))
        }
        guard !bound.isExact else {
            return .membership(FilterMembership(superset: superset, filter: prepared, checksPayload: false,
                                                estimatedCount: supersetCount, scope: self))
        }
        // Conditions no index answers: their share is estimated from a sample of the points the
        // indexes left, so an unindexed but selective filter still gets the exact scan.
        let share = try store.sampledShare(prepared, of: superset, state: state, in: transaction)
        let estimated = Int((Double(supersetCount) * share).rounded(.up))
        if estimated <= exactLimit {
            return .matches(try store.matchingIDs(prepared, in: transaction))
        }
        return .membership(FilterMembership(superset: superset, filter: prepared, checksPayload: true,
                                            estimatedCount: max(1, estimated), scope: self))
    }

    fileprivate func check(_ internalID: UInt32, against filter: PreparedFilter) throws -> Bool {
        // A point deleted in the store but still in the graph matches nothing.
        guard let record = try store.loadRecord(internalID, in: reader.transaction) else { return false }
        return filter.matches(internalID, record)
    }

    fileprivate func allMatches(_ filter: PreparedFilter) throws -> InternalIDSet {
        try store.matchingIDs(filter, in: reader.transaction)
    }

    /// The first error a per-node check met (the walk itself cannot throw).
    fileprivate var firstFailure: (any Error)? {
        memberships.lazy.compactMap(\.failure).first
    }

    private struct PlanKey: Hashable {
        let filter: Filter
        let exactLimit: Int
    }
}

/// A per-point test of one filter: ids outside the indexes' superset are refused from a bitmap;
/// the conditions no index answers are checked on the point's stored payload, which is read
/// only for points the walk is about to accept.
public final class FilterMembership: @unchecked Sendable {
    // @unchecked: used only on the thread of its scope, inside that scope's transaction.
    /// Roughly how many live points match, for widening the walk.
    public let estimatedCount: Int
    private let members: IDBitmap
    private let complemented: Bool
    private let filter: PreparedFilter
    /// Whether some condition is left to the payload (else the bitmap is the exact answer and
    /// a test costs a bit lookup).
    public let checksPayload: Bool
    private unowned let scope: FilterScope
    fileprivate var failure: (any Error)?

    fileprivate init(superset: IDSetExpression, filter: PreparedFilter, checksPayload: Bool, estimatedCount: Int, scope: FilterScope) {
        self.members = IDBitmap(superset.ids.sortedIDs)
        self.complemented = superset.complemented
        self.filter = filter
        self.checksPayload = checksPayload
        self.estimatedCount = estimatedCount
        self.scope = scope
    }

    /// When no payload is checked: the bitmap and whether it lists the excluded ids, so a walk
    /// can test without a call through this class per test.
    public var bitmapTest: (members: IDBitmap, complemented: Bool)? {
        checksPayload ? nil : (members, complemented)
    }

    public func contains(_ internalID: UInt32) -> Bool {
        guard members.contains(internalID) != complemented else { return false }
        guard checksPayload else { return true }
        guard failure == nil else { return false }
        do {
            return try scope.check(internalID, against: filter)
        } catch {
            failure = error
            return false
        }
    }

    /// Every match, exactly: the fallback when a walk found fewer than asked.
    public func allMatches() throws -> InternalIDSet {
        try scope.allMatches(filter)
    }
}

extension CollectionStore {
    /// Runs `body` with a scope for planning and checking filters in one read transaction.
    /// `body` must not read this store otherwise (the scope's transaction is still open).
    public func withFilterScope<Result>(_ body: (FilterScope) throws -> Result) throws -> Result {
        try ensureLive()
        return try environment.read { transaction in
            let reader = ScopedReader(transaction)
            defer { reader.close() }
            let scope = FilterScope(store: self, reader: reader, state: try readState(in: transaction))
            let result = try body(scope)
            if let failure = scope.firstFailure { throw failure }
            return result
        }
    }
}
