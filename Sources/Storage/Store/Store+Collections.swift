import Foundation
import Synchronization

extension Store {
    /// Creates a collection. Its catalog entry is the commit point: a crash before it leaves
    /// only a directory that the next create of that name clears.
    @discardableResult
    public func createCollection(_ schema: CollectionSchema) throws -> CollectionStore {
        try schema.validate()
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let key = Array(schema.name.utf8)
        if try catalog.read({ try $0.contains(key: key, in: catalogCollections) }) {
            throw StorageError.collectionExists(schema.name)
        }
        let path = collectionDirectory(schema.name)
        try Self.removeDirectory(path)
        let collection = try CollectionStore(path: path, creating: schema, options: options.collections, limits: options.limits)
        do {
            let record = try SchemaRecord.encode(schema)
            try catalog.write { transaction in
                try transaction.put(record, forKey: key, in: catalogCollections)
            }
        } catch {
            collection.markDeleted()
            try? Self.removeDirectory(path)
            throw error
        }
        handles.withLock { $0.collections[schema.name] = collection }
        return collection
    }

    /// The open collection named `name`.
    public func collection(named name: String) throws -> CollectionStore {
        if let open = handles.withLock({ $0.collections[name] }) {
            return open
        }
        directoryLock.lock()
        defer { directoryLock.unlock() }
        return try openCollection(named: name)
    }

    /// Opens and caches a collection; the caller holds `directoryLock`.
    func openCollection(named name: String) throws -> CollectionStore {
        if let open = handles.withLock({ $0.collections[name] }) {
            return open
        }
        let key = Array(name.utf8)
        guard let mirrored = try catalog.read({ try $0.value(forKey: key, in: catalogCollections) }) else {
            throw StorageError.collectionNotFound(name)
        }
        let collection = try CollectionStore(path: collectionDirectory(name), creating: nil, options: options.collections, limits: options.limits)
        // The catalog mirrors the schema; a crash between a payload-index commit and the
        // mirror update leaves it behind, so bring it up to date here.
        let current = try SchemaRecord.encode(collection.schema())
        if current != mirrored {
            try catalog.write { try $0.put(current, forKey: key, in: catalogCollections) }
        }
        handles.withLock { $0.collections[name] = collection }
        return collection
    }

    /// Names of all collections, sorted.
    public func collectionNames() throws -> [String] {
        try catalog.read { transaction in
            var names: [String] = []
            try transaction.forEachKey(in: catalogCollections) { key in
                names.append(String(decoding: key, as: UTF8.self))
                return true
            }
            return names
        }
    }

    /// Schemas of all collections, sorted by name, as each collection stores them now.
    public func collections() throws -> [CollectionSchema] {
        try collectionNames().map { try collection(named: $0).schema() }
    }

    /// Deletes a collection and its files. Handles still held elsewhere fail from now on.
    public func deleteCollection(named name: String) throws {
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let deleted = try catalog.write { transaction in
            try transaction.delete(key: Array(name.utf8), in: catalogCollections)
        }
        guard deleted else { throw StorageError.collectionNotFound(name) }
        let open = handles.withLock { $0.collections.removeValue(forKey: name) }
        open?.markDeleted()
        try Self.removeDirectory(collectionDirectory(name))
    }

    /// Adds a payload index to a collection, filling it from the stored points.
    @discardableResult
    public func addPayloadIndex(collection name: String, field: String, type: PayloadIndexType) throws -> CollectionSchema {
        // Held throughout so a concurrent delete cannot leave a catalog entry behind.
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let collection = try openCollection(named: name)
        let schema = try collection.addPayloadIndex(field: field, type: type)
        let record = try SchemaRecord.encode(schema)
        try catalog.write { transaction in
            try transaction.put(record, forKey: Array(name.utf8), in: catalogCollections)
        }
        return schema
    }
}

extension Store {
    public func dropPayloadIndex(collection name: String, field: String) throws -> CollectionSchema {
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let schema = try openCollection(named: name).dropPayloadIndex(field: field)
        let record = try SchemaRecord.encode(schema)
        try catalog.write { transaction in
            try transaction.put(record, forKey: Array(name.utf8), in: catalogCollections)
        }
        return schema
    }
}

extension Store {
    /// Opens (creating if needed) the environment of build `id` under `builds/<id>/`.
    public func build(id: String) throws -> BuildStore {
        try Self.validateBuildID(id)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        if let open = handles.withLock({ $0.builds[id] }) {
            return open
        }
        let build = try BuildStore(path: buildDirectory(id), options: options.builds)
        handles.withLock { $0.builds[id] = build }
        return build
    }

    /// Build ids name directories, so they follow the collection name rules.
    static func validateBuildID(_ id: String) throws {
        do {
            try CollectionSchema.validateName(id)
        } catch StorageError.invalidCollectionName(_, let reason) {
            throw StorageError.invalidBuildID(id, reason: reason)
        }
    }

    /// Ids of the builds on disk, sorted.
    public func buildIDs() throws -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: buildsDirectory.path)) ?? []
        return entries.filter { !$0.hasPrefix(".") }.sorted()
    }

    public func deleteBuild(id: String) throws {
        try Self.validateBuildID(id)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let open = handles.withLock { $0.builds.removeValue(forKey: id) }
        open?.environment.forgetPath()
        try Self.removeDirectory(buildDirectory(id))
    }
}
