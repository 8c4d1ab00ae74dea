import Foundation

extension CollectionStore {
    /// Applies `change` to the schema in one transaction and validates the result; returns the
    /// schema and the last change-log sequence number read in that transaction, so a caller
    /// knows which changes were logged before it (a model binding needs that).
    func updateSchema(_ change: (inout CollectionSchema) throws -> Void) throws -> (CollectionSchema, UInt64) {
        try ensureLive()
        return try environment.write { transaction in
            var state = try readState(in: transaction)
            let before = try schema(in: transaction, state: state)
            var schema = before
            try change(&schema)
            guard schema != before else { return (schema, state.lastSequence) }
            try schema.validate()
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
            return (schema, state.lastSequence)
        }
    }
}

/// The schema changes a collection allows after creation. Its vectors' names, sizes and
/// metrics never change; these are what promotions and Qdrant's collection update set.
extension Store {
    /// Rebinds `collection` to `model` (`name@version`, a promotion to a build on another
    /// model); returns the last sequence number logged before the switch, so every later change
    /// is known to come from `model`.
    @discardableResult
    public func bindEmbeddingModel(collection name: String, model: String?) throws -> UInt64 {
        try updateSchema(collection: name) { $0.embeddingModel = model }.sequence
    }

    /// Sets `collection`'s `quantization_config`: what a promoted build serves with becomes
    /// what the collection reports and reopens with.
    public func setQuantization(collection name: String, _ settings: QuantizationSettings?) throws {
        try updateSchema(collection: name) { $0.quantization = settings }
    }

    /// Sets the `on_disk` of dense vectors by name (`""` is the unnamed vector); nil returns a
    /// vector to the default (paged exactly while quantized). Returns the schema written.
    @discardableResult
    public func setVectorsOnDisk(collection name: String, _ placements: [String: Bool?]) throws -> CollectionSchema {
        try updateSchema(collection: name) { schema in
            for (vector, onDisk) in placements { try schema.setOnDisk(onDisk, vector: vector) }
        }.schema
    }

    /// The change in the collection's environment (authoritative) and its catalog mirror.
    @discardableResult
    private func updateSchema(collection name: String, _ change: (inout CollectionSchema) throws -> Void)
        throws -> (schema: CollectionSchema, sequence: UInt64) {
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let collection = try openCollection(named: name)
        let (schema, sequence) = try collection.updateSchema(change)
        let record = try SchemaRecord.encode(schema)
        try catalog.write { transaction in
            try transaction.put(record, forKey: Array(name.utf8), in: catalogCollections)
        }
        return (schema, sequence)
    }
}

extension CollectionSchema {
    /// Sets dense vector `name`'s `on_disk` (see `DenseVectorConfiguration.onDisk`).
    public mutating func setOnDisk(_ onDisk: Bool?, vector name: String) throws {
        if name == primaryVectorName, hasDenseVector {
            vectorsOnDisk = onDisk
        } else if namedVectors[name] != nil {
            namedVectors[name]?.onDisk = onDisk
        } else {
            throw StorageError.invalidSchema("the collection has no dense vector named `\(name)`")
        }
    }
}
