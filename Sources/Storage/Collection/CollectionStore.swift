import Foundation
import Synchronization

/// Limits applied to every write of a collection.
public struct WriteLimits: Sendable, Hashable {
    /// Largest payload, in bytes of its stored encoding.
    public var maximumPayloadBytes: Int

    public init(maximumPayloadBytes: Int = 1 << 20) {
        self.maximumPayloadBytes = maximumPayloadBytes
    }
}

/// The named databases of a collection environment.
struct CollectionDatabases: Sendable {
    /// "format", "schema", "state".
    let meta: LMDBDatabase
    /// Point id storage key -> internal id (4 bytes).
    let ids: LMDBDatabase
    /// Internal id (4 bytes) -> `PointRecord` (id, payload, text).
    let records: LMDBDatabase
    /// Internal id (4 bytes) -> `VectorRecord`.
    let vectors: LMDBDatabase
    /// Internal id (4 bytes) -> `ExtraVectorsRecord` (named dense and sparse vectors), only
    /// for points that have any.
    let extraVectors: LMDBDatabase
    /// `PayloadIndexKey` -> internal ids (DUPSORT, DUPFIXED).
    let payloadIndex: LMDBDatabase
    /// Sequence (8 bytes) -> `ChangeRecord`.
    let changes: LMDBDatabase
    let blobs: BlobTable

    static let specifications: [(name: String, flags: LMDBDatabase.Flags)] = [
        ("meta", []),
        ("ids", []),
        ("records", []),
        ("vectors", []),
        ("payload_index", [.duplicateSort, .duplicateFixed]),
        ("changes", []),
        ("blobs", []),
        ("extra_vectors", []),
    ]

    init(environment: LMDBEnvironment) throws {
        let opened = try environment.openDatabases(Self.specifications)
        meta = opened[0]
        ids = opened[1]
        records = opened[2]
        vectors = opened[3]
        payloadIndex = opened[4]
        changes = opened[5]
        blobs = BlobTable(database: opened[6])
        extraVectors = opened[7]
    }
}

/// One collection: its points, payload indexes, change log and blobs, in its own environment.
/// All methods are synchronous and safe to call from any thread.
public final class CollectionStore: Sendable {
    public let name: String
    public let environment: LMDBEnvironment
    let databases: CollectionDatabases
    let limits: WriteLimits
    private let cachedConfiguration: Mutex<Configuration>
    private let deleted = Atomic<Bool>(false)
    /// The sampled share of points passing each unindexed filter, for the search planner.
    let sampledShares = SampledShareCache()

    static let schemaKey = Array("schema".utf8)
    static let stateKey = Array("state".utf8)

    /// Opens the collection environment at `path`, creating it with `schema` when new.
    init(path: URL, creating schema: CollectionSchema?, options: LMDBEnvironment.Options, limits: WriteLimits) throws {
        let environment = try LMDBEnvironment(path: path, options: options)
        let databases = try CollectionDatabases(environment: environment)
        let stored: Configuration = try environment.write { transaction in
            try EnvironmentFormat.stamp(EnvironmentFormat.collection, database: databases.meta, in: transaction)
            if let schema, try transaction.value(forKey: Self.stateKey, in: databases.meta) == nil {
                try transaction.put(try SchemaRecord.encode(schema), forKey: Self.schemaKey, in: databases.meta)
                try transaction.put(CollectionState().encoded, forKey: Self.stateKey, in: databases.meta)
            }
            guard let schemaBytes = try transaction.value(forKey: Self.schemaKey, in: databases.meta) else {
                throw StorageError.corruptRecord("collection at \(path.path) has no schema")
            }
            let state = try Self.readState(databases, in: transaction)
            return try Configuration(generation: state.schemaGeneration, schema: SchemaRecord.decode(schemaBytes), databases: databases)
        }
        self.name = stored.schema.name
        self.environment = environment
        self.databases = databases
        self.limits = limits
        self.cachedConfiguration = Mutex(stored)
    }

    /// The schema and its parsed payload indexes, as of one schema generation.
    struct Configuration: Sendable {
        let generation: UInt32
        let schema: CollectionSchema
        let indexes: PayloadIndexSet

        init(generation: UInt32, schema: CollectionSchema, databases: CollectionDatabases) throws {
            self.generation = generation
            self.schema = schema
            self.indexes = try PayloadIndexSet(database: databases.payloadIndex, schema: schema)
        }
    }

    /// The schema as of now (payload indexes can be added while the collection is in use).
    public func schema() throws -> CollectionSchema {
        try ensureLive()
        return try environment.read { transaction in
            try schema(in: transaction)
        }
    }

    /// Calls made through a handle after its collection was deleted fail instead of writing
    /// into removed files.
    func markDeleted() {
        deleted.store(true, ordering: .releasing)
        environment.forgetPath()
    }

    func ensureLive() throws {
        if deleted.load(ordering: .acquiring) {
            throw StorageError.collectionNotFound(name)
        }
    }

    static func readState(_ databases: CollectionDatabases, in transaction: borrowing LMDBTransaction) throws -> CollectionState {
        guard let bytes = try transaction.value(forKey: stateKey, in: databases.meta) else {
            throw StorageError.corruptRecord("collection state record is missing")
        }
        return try CollectionState(decoding: bytes)
    }

    func readState(in transaction: borrowing LMDBTransaction) throws -> CollectionState {
        try Self.readState(databases, in: transaction)
    }

    func writeState(_ state: CollectionState, in transaction: borrowing LMDBTransaction) throws {
        try transaction.put(state.encoded, forKey: Self.stateKey, in: databases.meta)
    }

    /// The configuration in force in this transaction: the cached one unless the stored
    /// generation differs (a payload index was added), in which case it is read again.
    func configuration(in transaction: borrowing LMDBTransaction, state: CollectionState? = nil) throws -> Configuration {
        let generation = try (state ?? readState(in: transaction)).schemaGeneration
        if let cached = cachedConfiguration.withLock({ $0.generation == generation ? $0 : nil }) {
            return cached
        }
        guard let bytes = try transaction.value(forKey: Self.schemaKey, in: databases.meta) else {
            throw StorageError.corruptRecord("collection schema record is missing")
        }
        let configuration = try Configuration(generation: generation, schema: SchemaRecord.decode(bytes), databases: databases)
        cachedConfiguration.withLock { cache in
            // An older snapshot must not push out a newer configuration.
            if generation >= cache.generation {
                cache = configuration
            }
        }
        return configuration
    }

    func schema(in transaction: borrowing LMDBTransaction, state: CollectionState? = nil) throws -> CollectionSchema {
        try configuration(in: transaction, state: state).schema
    }

    /// The vectors never change after creation, so the cached schema always has them right.
    func cachedDimension() -> Int {
        cachedConfiguration.withLock { $0.schema.dimension }
    }

    func cachedSchema() -> CollectionSchema {
        cachedConfiguration.withLock { $0.schema }
    }

    func writeSchema(_ schema: CollectionSchema, state: inout CollectionState, in transaction: borrowing LMDBTransaction) throws {
        try transaction.put(try SchemaRecord.encode(schema), forKey: Self.schemaKey, in: databases.meta)
        state.schemaGeneration += 1
    }

    /// Number of live points.
    public func count() throws -> Int {
        try ensureLive()
        return try environment.read { transaction in
            Int(try readState(in: transaction).liveCount)
        }
    }

    /// Sequence number of the latest change (0 before the first).
    public func lastSequence() throws -> UInt64 {
        try ensureLive()
        return try environment.read { transaction in
            try readState(in: transaction).lastSequence
        }
    }
}
