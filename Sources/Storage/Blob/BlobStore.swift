import Foundation

/// The blobs of one environment, each call its own transaction. To write a blob atomically
/// with other data, use `BlobTable` inside your own `write`.
public struct BlobStore: Sendable {
    public let environment: LMDBEnvironment
    public let table: BlobTable

    public func put(name: String, bytes: [UInt8]) throws {
        try environment.write { transaction in
            try table.put(name: name, bytes: bytes, in: transaction)
        }
    }

    public func get(name: String) throws -> [UInt8]? {
        try environment.read { transaction in
            try table.get(name: name, in: transaction)
        }
    }

    /// The first `count` bytes of a blob (at most its first chunk), without reading the rest:
    /// enough for an image's header.
    public func prefix(name: String, count: Int) throws -> [UInt8]? {
        try environment.read { transaction in
            try table.prefix(name: name, count: count, in: transaction)
        }
    }

    public func contains(name: String) throws -> Bool {
        try environment.read { try table.contains(name: name, in: $0) }
    }

    @discardableResult
    public func delete(name: String) throws -> Bool {
        try environment.write { transaction in
            try table.delete(name: name, in: transaction)
        }
    }

    public func names() throws -> [String] {
        try environment.read { transaction in
            try table.names(in: transaction)
        }
    }
}

/// An environment for one index build's artifacts (graph, vectors), under `builds/<id>/`.
public final class BuildStore: Sendable {
    public let environment: LMDBEnvironment
    public let blobs: BlobStore
    /// Meta database, free for the build's own small records ("format" is taken).
    public let meta: LMDBDatabase

    /// Opens (creating if needed) a build environment at `path`.
    public init(path: URL, options: LMDBEnvironment.Options = LMDBEnvironment.Options()) throws {
        let environment = try LMDBEnvironment(path: path, options: options)
        let databases = try environment.openDatabases([("meta", []), ("blobs", [])])
        try environment.write { transaction in
            try EnvironmentFormat.stamp(EnvironmentFormat.build, database: databases[0], in: transaction)
        }
        self.environment = environment
        self.meta = databases[0]
        self.blobs = BlobStore(environment: environment, table: BlobTable(database: databases[1]))
    }
}

extension CollectionStore {
    /// Artifacts stored with the collection's data (an HNSW graph, for instance).
    public var blobs: BlobStore {
        BlobStore(environment: environment, table: databases.blobs)
    }
}
