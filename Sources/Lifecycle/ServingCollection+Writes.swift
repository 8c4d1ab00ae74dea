import Synchronization
import Storage

extension ServingCollection {
    /// Inserts or replaces points; returns the change-log sequence number of the last change.
    @discardableResult
    /// `embeddedWith` names the model that embedded the points' text; the write is refused
    /// with `bindingChanged` if the collection moved to another model meanwhile.
    public func upsert(_ points: [PointInput], embeddedWith model: String? = nil) throws -> UInt64 {
        do {
            return try write { try store.upsert(points, embeddedWith: model) }
        } catch let StorageError.embeddingModelChanged(expected, bound) {
            throw LifecycleError.bindingChanged(expected: expected, actual: bound)
        }
    }

    /// Replaces some vectors of existing points (Qdrant's update-vectors).
    @discardableResult
    public func updateVectors(_ updates: [VectorUpdate]) throws -> UInt64 {
        try write { try store.updateVectors(updates) }
    }

    /// Removes named vectors from the selected points.
    @discardableResult
    public func deleteVectors(_ names: [String], for selector: PointSelector) throws -> UInt64 {
        try write { try store.deleteVectors(names, for: selector) }
    }

    @discardableResult
    public func delete(_ selector: PointSelector) throws -> UInt64 {
        try write { try store.delete(selector) }
    }

    @discardableResult
    public func setPayload(_ payload: JSONValue, for selector: PointSelector) throws -> UInt64 {
        try write { try store.setPayload(payload, for: selector) }
    }

    @discardableResult
    public func overwritePayload(_ payload: JSONValue, for selector: PointSelector) throws -> UInt64 {
        try write { try store.overwritePayload(payload, for: selector) }
    }

    @discardableResult
    public func deletePayloadKeys(_ keys: [PayloadPath], for selector: PointSelector) throws -> UInt64 {
        try write { try store.deletePayloadKeys(keys, for: selector) }
    }

    @discardableResult
    public func clearPayload(for selector: PointSelector) throws -> UInt64 {
        try write { try store.clearPayload(for: selector) }
    }

    /// One durable store write, then its changes applied to the index, under the write gate.
    /// Changes another process logged in between (an import while the server runs) are applied
    /// first, in log order, so the index never skips a sequence number.
    private func write(_ body: () throws -> [ChangeEntry]) throws -> UInt64 {
        try writeGate.withLock { _ in
            let changes = try body()
            if let first = changes.first, first.sequence == appliedSequence.load(ordering: .acquiring) + 1 {
                try apply(changes)
            }
            try catchUp()
            return appliedSequence.load(ordering: .acquiring)
        }
    }
}
