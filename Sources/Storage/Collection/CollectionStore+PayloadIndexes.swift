extension CollectionStore {
    /// Adds a payload index and fills it from every stored point, in one write transaction, so
    /// the index is complete from the moment it is visible. Reached through
    /// `Store.addPayloadIndex`, which also updates the catalog's copy of the schema.
    func addPayloadIndex(field: String, type: PayloadIndexType) throws -> CollectionSchema {
        try ensureLive()
        let path = try PayloadPath(parsing: field, forIndex: true)
        if case .text(let tokenizer) = type { try tokenizer.validate(field: field) }
        return try environment.write { transaction in
            var state = try readState(in: transaction)
            var schema = try schema(in: transaction, state: state)
            guard schema.payloadIndexes[field] == nil else {
                throw StorageError.payloadIndexExists(collection: name, field: field)
            }
            // Entries left by an earlier index on this path (dropped later) would be stale.
            try PayloadIndexSet.removeEntries(of: path, database: databases.payloadIndex, in: transaction)
            try transaction.forEach(in: databases.records) { key, recordBytes in
                let record = try PointRecord(decoding: recordBytes)
                for indexKey in PayloadIndexKey.keys(for: record.payload, path: path, type: type) {
                    try transaction.put(key, forKey: indexKey, in: databases.payloadIndex, options: .noDuplicateData)
                }
                return true
            }
            schema.payloadIndexes[field] = type
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
            return schema
        }
    }
}
