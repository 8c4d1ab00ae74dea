import Foundation

extension CollectionStore {
    /// Records the quantization the collection's serving indexes use; returns the schema.
    func setQuantization(_ settings: QuantizationSettings?) throws -> CollectionSchema {
        try ensureLive()
        return try environment.write { transaction in
            var state = try readState(in: transaction)
            var schema = try schema(in: transaction, state: state)
            guard schema.quantization != settings else { return schema }
            schema.quantization = settings
            try schema.validate()
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
            return schema
        }
    }
}

extension Store {
    /// Sets `collection`'s `quantization_config`, in its environment and the catalog: what a
    /// promoted build serves with becomes what the collection reports and reopens with.
    public func setQuantization(collection name: String, _ settings: QuantizationSettings?) throws {
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let collection = try openCollection(named: name)
        let schema = try collection.setQuantization(settings)
        let record = try SchemaRecord.encode(schema)
        try catalog.write { transaction in
            try transaction.put(record, forKey: Array(name.utf8), in: catalogCollections)
        }
    }
}
