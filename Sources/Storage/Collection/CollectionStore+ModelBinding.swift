import Foundation

extension CollectionStore {
    /// Rebinds the collection to another embedding model (a promotion to a build on a new
    /// model); the vectors stored from then on come from that model. Returns the schema and the
    /// last change-log sequence number before the switch, read in the same transaction, so
    /// every later change is known to come from `model`.
    func bindEmbeddingModel(_ model: String?) throws -> (CollectionSchema, UInt64) {
        try ensureLive()
        return try environment.write { transaction in
            var state = try readState(in: transaction)
            var schema = try schema(in: transaction, state: state)
            guard schema.embeddingModel != model else { return (schema, state.lastSequence) }
            schema.embeddingModel = model
            try schema.validate()
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
            return (schema, state.lastSequence)
        }
    }
}

extension Store {
    /// Binds `collection` to `model` (`name@version`), in its environment and the catalog;
    /// returns the last sequence number logged before the switch.
    @discardableResult
    public func bindEmbeddingModel(collection name: String, model: String?) throws -> UInt64 {
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let collection = try openCollection(named: name)
        let (schema, sequence) = try collection.bindEmbeddingModel(model)
        let record = try SchemaRecord.encode(schema)
        try catalog.write { transaction in
            try transaction.put(record, forKey: Array(name.utf8), in: catalogCollections)
        }
        return sequence
    }
}
