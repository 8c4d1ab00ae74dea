import Dispatch
import Foundation
import Synchronization
import Storage

extension ServingCollection {
    /// Group commit so far: how many write transactions held how many write requests.
    public var writeGrouping: (transactions: UInt64, requests: UInt64) { store.environment.combinedWriteCounts }

    /// Inserts or replaces points; returns the change-log sequence number of the last change.
    @discardableResult
    /// `embeddedWith` names the model that embedded the points' text; the write is refused
    /// with `bindingChanged` if the collection moved to another model meanwhile.
    public func upsert(_ points: [PointInput], embeddedWith model: String? = nil, wait: Bool = true) throws -> UInt64 {
        do {
            return try write(wait: wait) { try store.upsert(points, embeddedWith: model) }
        } catch let StorageError.embeddingModelChanged(expected, bound) {
            throw LifecycleError.bindingChanged(expected: expected, actual: bound)
        }
    }

    /// Replaces some vectors of existing points (Qdrant's update-vectors).
    @discardableResult
    public func updateVectors(_ updates: [VectorUpdate], wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.updateVectors(updates) }
    }

    /// Removes named vectors from the selected points.
    @discardableResult
    public func deleteVectors(_ names: [String], for selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.deleteVectors(names, for: selector) }
    }

    @discardableResult
    public func delete(_ selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.delete(selector) }
    }

    @discardableResult
    public func setPayload(_ payload: JSONValue, for selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.setPayload(payload, for: selector) }
    }

    @discardableResult
    public func overwritePayload(_ payload: JSONValue, for selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.overwritePayload(payload, for: selector) }
    }

    @discardableResult
    public func deletePayloadKeys(_ keys: [PayloadPath], for selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.deletePayloadKeys(keys, for: selector) }
    }

    @discardableResult
    public func clearPayload(for selector: PointSelector, wait: Bool = true) throws -> UInt64 {
        try write(wait: wait) { try store.clearPayload(for: selector) }
    }

    /// One durable store write (its fsync shared with concurrent writers), then, with `wait`,
    /// its changes applied to every index before returning, so the next search sees them;
    /// without, they are applied in the background and the change log is the queue between the
    /// two, so nothing is lost if the process stops in between. The write gate covers only the
    /// index application, which runs in log order (changes other processes logged included).
    ///
    /// That queue is bounded: a `wait=false` write that leaves more than `indexBacklogLimit`
    /// changes unapplied waits until the index is back within the bound. Writers then go at the
    /// index's pace, which bounds how stale a search can be and what a restart after a crash
    /// must replay; the write queue in front (503 when full) bounds the writers themselves.
    private func write(wait: Bool, _ body: () throws -> [ChangeEntry]) throws -> UInt64 {
        let changes = try body()
        let last = changes.last?.sequence ?? appliedSequence.load(ordering: .acquiring)
        if wait {
            try applyLogged(through: last)
        } else {
            applyInBackground()
            if last > indexBacklogLimit, appliedSequence.load(ordering: .acquiring) < last - indexBacklogLimit {
                try applyLogged(through: last - indexBacklogLimit)
            }
        }
        return last
    }

    /// Logged changes not yet reflected in the index.
    public var indexBacklog: UInt64 {
        let applied = appliedSequence.load(ordering: .acquiring)
        let last = (try? store.lastSequence()) ?? applied
        return last > applied ? last - applied : 0
    }

    /// Applies logged changes until the indexes reflect at least `sequence`, stepping aside
    /// between pages while an index image waits for the gate, as background catch-up does:
    /// writers waiting on the backlog would otherwise keep images out.
    func applyLogged(through sequence: UInt64) throws {
        while appliedSequence.load(ordering: .acquiring) < sequence {
            while imageWaiting.load(ordering: .acquiring) { usleep(500) }
            let applied = try writeGate.withLock { _ in
                appliedSequence.load(ordering: .acquiring) < sequence ? try catchUpPage() : true
            }
            guard applied else { return }
        }
    }

    /// Schedules one catch-up; requests that arrive while one is pending share it.
    func applyInBackground() {
        guard backgroundApplyPending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        backgroundApplier.async { [self] in
            backgroundApplyPending.store(false, ordering: .releasing)
            // A failure here is retried by the next write or the catalog follower's turn.
            try? applyBacklog()
        }
    }
}

extension ServingCollection {
    /// Applies every logged change, a page per turn of the write gate, stepping aside between
    /// pages while an index image waits for the gate (the gate is not fair).
    func applyBacklog() throws {
        while try writeGate.withLock({ _ in try catchUpPage() }) {
            while imageWaiting.load(ordering: .acquiring) { usleep(500) }
        }
    }
}
