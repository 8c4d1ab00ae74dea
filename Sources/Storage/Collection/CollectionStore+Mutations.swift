/// The steps every write is made of. Each keeps the id map, records, vectors, payload index,
/// change log and counters in step, inside the caller's write transaction.
extension CollectionStore {
    func payloadIndexes(in transaction: borrowing LMDBTransaction, state: CollectionState) throws -> PayloadIndexSet {
        try configuration(in: transaction, state: state).indexes
    }

    func internalID(of key: [UInt8], in transaction: borrowing LMDBTransaction) throws -> UInt32? {
        try transaction.value(forKey: key, in: databases.ids).map(InternalIDBytes.decode)
    }

    func loadRecord(_ internalID: UInt32, payload: Bool = true, in transaction: borrowing LMDBTransaction) throws -> PointRecord? {
        try transaction.withValue(forKey: InternalIDBytes.encode(internalID), in: databases.records) { bytes in
            try PointRecord(decoding: Array(bytes), payload: payload)
        }
    }

    /// The record of a live internal id. A missing record behind a mapped id is a broken
    /// invariant of this module, but the bytes come from disk, so it is reported as corruption.
    func requireRecord(_ internalID: UInt32, in transaction: borrowing LMDBTransaction) throws -> PointRecord {
        guard let record = try loadRecord(internalID, in: transaction) else {
            throw StorageError.corruptRecord("internal id \(internalID) is mapped but has no record")
        }
        return record
    }

    func loadVector(_ internalID: UInt32, in transaction: borrowing LMDBTransaction) throws -> [Float]? {
        try transaction.floatValue(forKey: InternalIDBytes.encode(internalID), in: databases.vectors, prefixLength: RecordHeader.byteCount)
            .map(VectorRecord.decode)
    }

    func loadExtraVectors(_ internalID: UInt32, in transaction: borrowing LMDBTransaction) throws
        -> (dense: [String: [Float]], sparse: [String: SparseVectorValue]) {
        guard let bytes = try transaction.value(forKey: InternalIDBytes.encode(internalID), in: databases.extraVectors) else {
            return ([:], [:])
        }
        return try ExtraVectorsRecord.decode(bytes)
    }

    private func allocateInternalID(_ state: inout CollectionState) throws -> UInt32 {
        guard state.nextInternalID < UInt32.max else {
            throw StorageError.internalIDsExhausted(collection: name)
        }
        defer { state.nextInternalID += 1 }
        return state.nextInternalID
    }

    func appendChange(
        _ kind: ChangeEntry.Kind,
        point: PointID,
        old: UInt32?,
        new: UInt32?,
        state: inout CollectionState,
        in transaction: borrowing LMDBTransaction
    ) throws -> ChangeEntry {
        state.lastSequence += 1
        let entry = ChangeEntry(sequence: state.lastSequence, kind: kind, pointID: point, oldInternalID: old, newInternalID: new)
        try transaction.put(ChangeRecord.encode(entry), forKey: ChangeRecord.key(entry.sequence), in: databases.changes, options: .append)
        return entry
    }

    /// Inserts or replaces one point. Same vector: the internal id stays and only the record
    /// changes. New vector: a new internal id, and the old one is dead.
    func applyUpsert(
        _ point: PreparedPoint,
        indexes: PayloadIndexSet,
        state: inout CollectionState,
        in transaction: borrowing LMDBTransaction
    ) throws -> ChangeEntry {
        let newKeys = indexes.keys(for: point.record.payload)
        let recordBytes = point.record.encoded(payloadBytes: point.payloadBytes)
        guard let existing = try internalID(of: point.key, in: transaction) else {
            let newID = try allocateInternalID(&state)
            try writeNewPoint(point, recordBytes: recordBytes, internalID: newID, in: transaction)
            try indexes.update(from: [], oldID: nil, to: newKeys, newID: newID, in: transaction)
            state.liveCount += 1
            return try appendChange(.insert, point: point.id, old: nil, new: newID, state: &state, in: transaction)
        }
        let existingKey = InternalIDBytes.encode(existing)
        let oldKeys = indexes.keys(for: try requireRecord(existing, in: transaction).payload)
        if try transaction.value(forKey: existingKey, in: databases.vectors) == point.vectorBytes,
           try transaction.value(forKey: existingKey, in: databases.extraVectors) == point.extraVectorBytes {
            try transaction.put(recordBytes, forKey: existingKey, in: databases.records)
            try indexes.update(from: oldKeys, oldID: existing, to: newKeys, newID: existing, in: transaction)
            return try appendChange(.update, point: point.id, old: existing, new: existing, state: &state, in: transaction)
        }
        let newID = try allocateInternalID(&state)
        try transaction.delete(key: existingKey, in: databases.records)
        try transaction.delete(key: existingKey, in: databases.vectors)
        try transaction.delete(key: existingKey, in: databases.extraVectors)
        try writeNewPoint(point, recordBytes: recordBytes, internalID: newID, in: transaction)
        try indexes.update(from: oldKeys, oldID: existing, to: newKeys, newID: newID, in: transaction)
        return try appendChange(.replace, point: point.id, old: existing, new: newID, state: &state, in: transaction)
    }

    private func writeNewPoint(_ point: PreparedPoint, recordBytes: [UInt8], internalID: UInt32, in transaction: borrowing LMDBTransaction) throws {
        let key = InternalIDBytes.encode(internalID)
        // New ids are above every id ever used, so both appends land at the end.
        try transaction.put(recordBytes, forKey: key, in: databases.records, options: .append)
        if let vectorBytes = point.vectorBytes {
            try transaction.put(vectorBytes, forKey: key, in: databases.vectors, options: .append)
        }
        if let extraVectorBytes = point.extraVectorBytes {
            try transaction.put(extraVectorBytes, forKey: key, in: databases.extraVectors, options: .append)
        }
        try transaction.put(key, forKey: point.key, in: databases.ids)
    }

    func applyDelete(
        _ internalID: UInt32,
        record: PointRecord,
        indexes: PayloadIndexSet,
        state: inout CollectionState,
        in transaction: borrowing LMDBTransaction
    ) throws -> ChangeEntry {
        let key = InternalIDBytes.encode(internalID)
        try indexes.update(from: indexes.keys(for: record.payload), oldID: internalID, to: [], newID: nil, in: transaction)
        try transaction.delete(key: key, in: databases.records)
        try transaction.delete(key: key, in: databases.vectors)
        try transaction.delete(key: key, in: databases.extraVectors)
        try transaction.delete(key: record.id.storageKey, in: databases.ids)
        state.liveCount -= 1
        return try appendChange(.delete, point: record.id, old: internalID, new: nil, state: &state, in: transaction)
    }

    /// Rewrites a point's payload in place; the vector and internal id stay.
    func applyPayloadChange(
        _ internalID: UInt32,
        record: PointRecord,
        newPayload: [String: JSONValue],
        indexes: PayloadIndexSet,
        state: inout CollectionState,
        in transaction: borrowing LMDBTransaction
    ) throws -> ChangeEntry {
        let payloadBytes = try validatedMembers(newPayload, point: record.id)
        let updated = PointRecord(id: record.id, payload: newPayload, text: record.text)
        try transaction.put(updated.encoded(payloadBytes: payloadBytes), forKey: InternalIDBytes.encode(internalID), in: databases.records)
        try indexes.update(
            from: indexes.keys(for: record.payload),
            oldID: internalID,
            to: indexes.keys(for: newPayload),
            newID: internalID,
            in: transaction
        )
        return try appendChange(.update, point: record.id, old: internalID, new: internalID, state: &state, in: transaction)
    }
}
