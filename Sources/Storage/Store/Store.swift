import Foundation
import Synchronization

/// The data directory: a catalog environment, one environment per collection and one per
/// index build.
///
/// ```
/// <data>/catalog/                 catalog (collections; later models, builds, aliases)
/// <data>/collections/<name>/      points, payload index, change log, blobs
/// <data>/builds/<id>/             a build's artifacts
/// ```
public final class Store: Sendable {
    public struct Options: Sendable, Hashable {
        public var catalog: LMDBEnvironment.Options
        public var collections: LMDBEnvironment.Options
        public var builds: LMDBEnvironment.Options
        public var limits: WriteLimits

        public init(
            catalog: LMDBEnvironment.Options = LMDBEnvironment.Options(mapSize: 16 << 20, maximumDatabases: 32),
            collections: LMDBEnvironment.Options = LMDBEnvironment.Options(mapSize: 256 << 20),
            builds: LMDBEnvironment.Options = LMDBEnvironment.Options(mapSize: 256 << 20),
            limits: WriteLimits = WriteLimits()
        ) {
            self.catalog = catalog
            self.collections = collections
            self.builds = builds
            self.limits = limits
        }

        /// Every environment starts with `mapSize` (tests use a tiny map to exercise growth).
        public init(mapSize: Int, limits: WriteLimits = WriteLimits()) {
            self.init(
                catalog: LMDBEnvironment.Options(mapSize: mapSize, maximumDatabases: 32),
                collections: LMDBEnvironment.Options(mapSize: mapSize),
                builds: LMDBEnvironment.Options(mapSize: mapSize),
                limits: limits
            )
        }
    }

    struct OpenHandles {
        var collections: [String: CollectionStore] = [:]
        var builds: [String: BuildStore] = [:]
    }

    public let directory: URL
    public let options: Options
    /// The catalog environment, for modules that keep their own records next to collections.
    public let catalog: LMDBEnvironment
    let catalogMeta: LMDBDatabase
    /// Collection name -> `SchemaRecord` (as created; the collection's own copy is authoritative).
    let catalogCollections: LMDBDatabase
    let handles = Mutex(OpenHandles())
    /// Serializes whatever adds or removes directories (create, delete, backup), so a backup
    /// sees a stable set of environments.
    let directoryLock = NSLock()

    var collectionsDirectory: URL { directory.appending(path: "collections", directoryHint: .isDirectory) }
    var buildsDirectory: URL { directory.appending(path: "builds", directoryHint: .isDirectory) }

    public init(directory: URL, options: Options = Options()) throws {
        self.directory = directory.standardizedFileURL
        self.options = options
        for subdirectory in ["collections", "builds"] {
            let url = self.directory.appending(path: subdirectory, directoryHint: .isDirectory)
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw StorageError.io(path: url.path, reason: "cannot create directory: \(error)")
            }
        }
        catalog = try LMDBEnvironment(path: self.directory.appending(path: "catalog", directoryHint: .isDirectory), options: options.catalog)
        let databases = try catalog.openDatabases([("meta", []), ("collections", [])])
        catalogMeta = databases[0]
        catalogCollections = databases[1]
        try catalog.write { transaction in
            try EnvironmentFormat.stamp(EnvironmentFormat.catalog, database: databases[0], in: transaction)
        }
    }

    func collectionDirectory(_ name: String) -> URL {
        collectionsDirectory.appending(path: name, directoryHint: .isDirectory)
    }

    func buildDirectory(_ id: String) -> URL {
        buildsDirectory.appending(path: id, directoryHint: .isDirectory)
    }

    static func removeDirectory(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw StorageError.io(path: url.path, reason: "cannot remove: \(error)")
        }
    }
}
