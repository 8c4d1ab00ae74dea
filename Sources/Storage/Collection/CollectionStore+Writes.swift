/// Which points a delete or payload operation applies to.
public enum PointSelector: Sendable, Hashable {
    case ids([PointID])
    case filter(Filter)
}

extension CollectionStore {
    /// Inserts or replaces points in one write transaction and returns the change-log entries
    /// it made, in input order. Every point is validated first; one bad point rejects the batch
    /// and nothing is written.
    ///
    /// `embeddedWith` names the model that embedded the points' text: the write is refused with
    /// `embeddingModelChanged`, in the same transaction, when the collection is bound to another.
    @discardableResult
    public func upsert(_ points: [PointInput], embeddedWith model: String? = nil) throws -> [ChangeEntry] {
        try ensureLive()
        let configured = cachedSchema()
        let prepared = try points.map { try prepare($0, schema: configured) }
        guard !prepared.isEmpty else { return [] }
        return try environment.combinedWrite { [self] transaction in
            var state = try readState(in: transaction)
            if let model {
                let bound = try schema(in: transaction, state: state).embeddingModel
                if let bound, bound != model { throw StorageError.embeddingModelChanged(expected: model, bound: bound) }
            }
            let indexes = try payloadIndexes(in: transaction, state: state)
            var changes: [ChangeEntry] = []
            changes.reserveCapacity(prepared.count)
            for point in prepared {
                changes.append(try applyUpsert(point, indexes: indexes, state: &state, in: transaction))
            }
            try writeState(state, in: transaction)
            return changes
        }
    }

    /// Deletes the selected points; ids that do not exist are skipped.
    @discardableResult
    public func delete(_ selector: PointSelector) throws -> [ChangeEntry] {
        try ensureLive()
        return try environment.combinedWrite { [self] transaction in
            var state = try readState(in: transaction)
            let indexes = try payloadIndexes(in: transaction, state: state)
            var changes: [ChangeEntry] = []
            for (internalID, record) in try selectedPoints(selector, requireAll: false, state: state, in: transaction) {
                changes.append(try applyDelete(internalID, record: record, indexes: indexes, state: &state, in: transaction))
            }
            try writeState(state, in: transaction)
            return changes
        }
    }

    @discardableResult
    public func delete(ids: [PointID]) throws -> [ChangeEntry] {
        try delete(.ids(ids))
    }

    /// Merges `payload`'s top-level keys into each selected point's payload.
    @discardableResult
    public func setPayload(_ payload: JSONValue, for selector: PointSelector) throws -> [ChangeEntry] {
        let (members, _) = try validatedPayload(payload, point: nil)
        return try modifyPayloads(selector) { old in old.merging(members) { _, new in new } }
    }

    /// Replaces each selected point's payload with `payload`.
    @discardableResult
    public func overwritePayload(_ payload: JSONValue, for selector: PointSelector) throws -> [ChangeEntry] {
        let (members, _) = try validatedPayload(payload, point: nil)
        return try modifyPayloads(selector) { _ in members }
    }

    /// Removes the given keys (dotted paths reach into nested objects) from each selected point.
    @discardableResult
    public func deletePayloadKeys(_ keys: [PayloadPath], for selector: PointSelector) throws -> [ChangeEntry] {
        try modifyPayloads(selector) { old in
            keys.reduce(old) { payload, key in key.removing(from: payload) }
        }
    }

    /// Empties each selected point's payload.
    @discardableResult
    public func clearPayload(for selector: PointSelector) throws -> [ChangeEntry] {
        try modifyPayloads(selector) { _ in [:] }
    }

    /// Applies `transform` to each selected payload in one transaction. Selecting an id that
    /// does not exist, or producing a payload over the size limit, aborts the whole operation.
    private func modifyPayloads(
        _ selector: PointSelector,
        transform: @escaping ([String: JSONValue]) -> [String: JSONValue]
    ) throws -> [ChangeEntry] {
        try ensureLive()
        return try environment.combinedWrite { [self] transaction in
            var state = try readState(in: transaction)
            let indexes = try payloadIndexes(in: transaction, state: state)
            var changes: [ChangeEntry] = []
            for (internalID, record) in try selectedPoints(selector, requireAll: true, state: state, in: transaction) {
                changes.append(try applyPayloadChange(
                    internalID,
                    record: record,
                    newPayload: transform(record.payload),
                    indexes: indexes,
                    state: &state,
                    in: transaction
                ))
            }
            try writeState(state, in: transaction)
            return changes
        }
    }

    /// The live points a selector names, each once, in selector order (ids) or internal id
    /// order (filter).
    func selectedPoints(
        _ selector: PointSelector,
        requireAll: Bool,
        state: CollectionState,
        in transaction: borrowing LMDBTransaction
    ) throws -> [(UInt32, PointRecord)] {
        switch selector {
        case .ids(let ids):
            var seen = Set<PointID>()
            var selected: [(UInt32, PointRecord)] = []
            for id in ids where seen.insert(id).inserted {
                guard let internalID = try internalID(of: id.storageKey, in: transaction) else {
                    if requireAll { throw StorageError.pointNotFound(id) }
                    continue
                }
                selected.append((internalID, try requireRecord(internalID, in: transaction)))
            }
            return selected
        case .filter(let filter):
            return try matchingIDs(filter, state: state, in: transaction).sortedIDs.map { internalID in
                (internalID, try requireRecord(internalID, in: transaction))
            }
        }
    }
}
