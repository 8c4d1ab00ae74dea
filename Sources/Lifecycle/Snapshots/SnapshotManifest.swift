import Foundation

/// `lodestone-snapshot.json`, the last entry of a snapshot: the collection's catalog records
/// (serving record, builds, policy, audit trail), the registry records of the models and
/// datasets it needs, and the SHA-256 of every other entry, so a damaged file is refused
/// before anything is installed.
struct SnapshotManifest: Codable, Sendable {
    static let fileName = "lodestone-snapshot.json"
    static let currentFormat = 1
    static let collectionEnvironment = "collection"

    struct File: Codable, Sendable, Equatable {
        var path: String
        var sha256: String
        var size: Int
    }

    var format: Int
    var collection: String
    var createdAt: Date
    /// The last change logged before the collection's copy began (the copy holds it, and maybe more).
    var lastSequence: UInt64
    var serving: ServingRecord
    var builds: [BuildRecord]
    /// Builds whose environment (index images) the snapshot holds, under `builds/NUMBER/`.
    var buildEnvironments: [Int]
    var policy: CollectionPolicy?
    var audit: [AuditEntry]
    var models: [ModelRecord]
    var datasets: [DatasetRecord]
    var files: [File]

    enum CodingKeys: String, CodingKey {
        case format, collection, serving, builds, policy, audit, models, datasets, files
        case createdAt = "created_at"
        case lastSequence = "last_sequence"
        case buildEnvironments = "build_environments"
    }

    static func buildEnvironment(_ number: Int) -> String { "builds/\(number)" }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func read(from directory: URL) throws -> SnapshotManifest {
        guard let data = try? Data(contentsOf: directory.appending(path: fileName)) else {
            throw LifecycleError.snapshotInvalid("it holds no \(fileName); it is not a Lodestone collection snapshot")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest: SnapshotManifest
        do {
            manifest = try decoder.decode(SnapshotManifest.self, from: data)
        } catch {
            throw LifecycleError.snapshotInvalid("\(fileName) is unreadable (\(error))")
        }
        guard manifest.format == currentFormat else {
            throw LifecycleError.snapshotInvalid("it has format \(manifest.format); this server reads format \(currentFormat)")
        }
        return manifest
    }
}
