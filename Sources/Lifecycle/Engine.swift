import Foundation
import Storage
import Synchronization

/// Everything a process serves from one data directory: the store and its open collections.
public final class Engine: Sendable {
    public let store: Store
    public let dataDirectory: URL
    private let open = Mutex<[String: ServingCollection]>([:])
    private let buildThreads: Int
    public let aliases: AliasTable

    public init(dataDirectory: URL, options: Store.Options = Store.Options(),
                buildThreads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        self.dataDirectory = dataDirectory
        self.store = try Store(directory: dataDirectory, options: options)
        self.buildThreads = buildThreads
        self.aliases = try AliasTable(store: store)
    }

    /// The collection an alias points to, or `name` itself.
    public func resolve(_ name: String) throws -> String {
        try aliases.collection(forAlias: name) ?? name
    }

    public func collectionExists(_ name: String) throws -> Bool {
        try store.collectionNames().contains(name)
    }

    public func collectionNames() throws -> [String] { try store.collectionNames() }

    public func createCollection(_ schema: CollectionSchema) throws -> ServingCollection {
        let collectionStore = try store.createCollection(schema)
        let serving = try ServingCollection(store: collectionStore, threads: buildThreads)
        open.withLock { $0[schema.name] = serving }
        return serving
    }

    /// The serving collection `name`, opened (index loaded or rebuilt) on first use.
    public func collection(named name: String,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ServingCollection {
        if let serving = open.withLock({ $0[name] }) { return serving }
        let collectionStore = try store.collection(named: name)
        let serving = try ServingCollection(store: collectionStore, threads: buildThreads, progress: progress)
        return open.withLock { opened in
            if let existing = opened[name] { return existing }
            opened[name] = serving
            return serving
        }
    }

    /// Deletes a collection; false when there was none.
    @discardableResult
    public func deleteCollection(named name: String) throws -> Bool {
        guard try store.collectionNames().contains(name) else { return false }
        open.withLock { _ = $0.removeValue(forKey: name) }
        try store.deleteCollection(named: name)
        try aliases.removeAliases(of: name)
        return true
    }

    /// The collections opened so far (opening one loads or rebuilds its index, so observers
    /// such as metrics look only at these).
    public var openCollections: [ServingCollection] { open.withLock { Array($0.values) } }

    /// Stores the index image of every open collection that changed since it was last stored.
    public func persistIndexes() throws {
        for serving in openCollections where serving.changesSincePersist > 0 {
            try serving.persistIndex()
        }
    }
}
