import Foundation
import Synchronization

extension Store {
    /// Readies a collection environment copied elsewhere (a recovered snapshot) to become the
    /// collection `name`: opens it, which checks its format and schema, renames its schema
    /// when it was another collection's, and closes it again. Everything here can refuse;
    /// `installCollection` afterwards only moves files and writes the catalog.
    public func prepareInstall(of environment: URL, as name: String) throws {
        try CollectionSchema.validateName(name)
        try Self.renameSchema(at: environment, to: name, options: options.collections, limits: options.limits)
    }

    /// Makes a prepared environment the collection `name`. An existing collection of that
    /// name is replaced in the same step (its handles fail from then on), so no other request
    /// can create the name in between; the catalog entry, the commit point as in
    /// `createCollection`, is written last.
    @discardableResult
    public func installCollection(from environment: URL, as name: String, replacing: Bool) throws -> CollectionStore {
        try CollectionSchema.validateName(name)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let key = Array(name.utf8)
        if try catalog.read({ try $0.contains(key: key, in: catalogCollections) }) {
            guard replacing else { throw StorageError.collectionExists(name) }
            _ = try catalog.write { try $0.delete(key: key, in: catalogCollections) }
            handles.withLock { $0.collections.removeValue(forKey: name) }?.markDeleted()
        }
        let path = collectionDirectory(name)
        try Self.removeDirectory(path)
        try Self.move(environment, to: path)
        let collection = try CollectionStore(path: path, creating: nil, options: options.collections, limits: options.limits)
        let record = try SchemaRecord.encode(collection.schema())
        try catalog.write { try $0.put(record, forKey: key, in: catalogCollections) }
        handles.withLock { $0.collections[name] = collection }
        return collection
    }

    /// Makes a build environment copied elsewhere the build `id` (replacing a leftover
    /// directory of that id, which no catalog record names once its collection is gone).
    public func installBuild(from environment: URL, id: String) throws {
        try Self.validateBuildID(id)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        let open = handles.withLock { $0.builds.removeValue(forKey: id) }
        open?.environment.forgetPath()
        let path = buildDirectory(id)
        try Self.removeDirectory(path)
        try Self.move(environment, to: path)
    }

    /// The environment's schema names `name` afterwards. Opened and closed here, before the
    /// directory moves, so no second handle on the same files stays open in this process.
    static func renameSchema(at environment: URL, to name: String, options: LMDBEnvironment.Options, limits: WriteLimits) throws {
        let collection = try CollectionStore(path: environment, creating: nil, options: options, limits: limits)
        try collection.rename(to: name)
    }

    static func move(_ source: URL, to destination: URL) throws {
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: source, to: destination)
        } catch {
            throw StorageError.io(path: destination.path, reason: "cannot move the recovered environment into place: \(error)")
        }
    }
}

extension CollectionStore {
    /// Rewrites the stored schema's name (a snapshot recovered under another name). Only
    /// before the environment is installed: the open store keeps the name it opened with.
    func rename(to name: String) throws {
        try environment.write { transaction in
            var state = try readState(in: transaction)
            var schema = try schema(in: transaction, state: state)
            guard schema.name != name else { return }
            schema.name = name
            try schema.validate()
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
        }
    }
}
