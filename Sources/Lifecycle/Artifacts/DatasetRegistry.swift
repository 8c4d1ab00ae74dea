import Foundation
import Storage

/// One registered evaluation dataset version (BEIR layout), held in the artifact store.
public struct DatasetRecord: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// SHA-256 of the manifest of corpus, queries and qrels: the version's identity.
    public var digest: String
    public var documents: Int
    /// Queries with relevance judgements (the ones evaluated).
    public var queries: Int
    /// Where it was registered from: a directory, or `upload`.
    public var source: String
    public var registeredAt: Date
    public var registeredBy: String

    public var reference: String { "\(name)@\(version)" }

    enum CodingKeys: String, CodingKey {
        case name, version, digest, documents, queries, source
        case registeredAt = "registered_at"
        case registeredBy = "registered_by"
    }
}

/// What an evaluation or a gate names, resolved: where its files are, how reports call it, and
/// the digest a stored evaluation must match to be reused.
public struct ResolvedDataset: Sendable {
    public var directory: URL
    public var name: String
    /// `name@version` for a registered set, the standardized path for a directory.
    public var key: String
    public var digest: String
}

/// Evaluation datasets as immutable artifacts: `name@version` -> `DatasetRecord`.
public struct DatasetRegistry: Sendable {
    let table: CatalogTable<DatasetRecord>
    public let artifacts: ArtifactStore

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "datasets", magic: "LDST", what: "dataset")
        artifacts = ArtifactStore(dataDirectory: store.directory)
    }

    /// Checks the BEIR files, copies them into the artifact store and records the version. The
    /// same files again are a no-op; other files under the same version are refused.
    @discardableResult
    public func register(directory: URL, name: String, version: String, registeredBy: String, source: String? = nil,
                         within: URL? = nil) throws -> DatasetRecord {
        for part in [name, version] { try ModelRegistry.validate(part) }
        return try artifacts.importing(BEIRDataset.files, from: directory, kind: .datasets, within: within,
                                       isReferenced: { digest in (try? list().contains { $0.digest == digest }) ?? true }) { manifest in
            try record(manifest, name: name, version: version, registeredBy: registeredBy, source: source ?? directory.standardizedFileURL.path)
        }
    }

    private func record(_ manifest: ArtifactManifest, name: String, version: String, registeredBy: String, source: String) throws -> DatasetRecord {
        let dataset = try BEIRDataset(directory: artifacts.directory(.datasets, digest: manifest.digest), name: name)
        let record = DatasetRecord(name: name, version: version, digest: manifest.digest, documents: dataset.corpus.count,
                                   queries: dataset.queries.count, source: source,
                                   registeredAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()), registeredBy: registeredBy)
        return try table.write { transaction in
            let key = Array(record.reference.utf8)
            if let existing = try table.get(key, in: transaction) {
                guard existing.digest == record.digest else {
                    throw RegistryError.differentDataset(reference: record.reference, registered: existing.digest, offered: record.digest)
                }
                return existing
            }
            try table.put(record, at: key, in: transaction)
            return record
        }
    }

    /// Registers an uploaded tar stream of a BEIR directory (files at the top or under one directory).
    @discardableResult
    public func register(tar bytes: [UInt8], name: String, version: String, registeredBy: String) throws -> DatasetRecord {
        try artifacts.withUnpackedUpload(bytes, marker: "corpus.jsonl") { root in
            try register(directory: root, name: name, version: version, registeredBy: registeredBy, source: "upload")
        }
    }

    /// Registers a directory named by a gate (`lodestone gates --eval-dataset DIR`): its name,
    /// and a version from its digest, so the same files always give the same reference.
    public func registerForGate(directory: URL, registeredBy: String, within: URL? = nil) throws -> DatasetRecord {
        let digest = try Self.digest(of: directory)
        let name = directory.standardizedFileURL.lastPathComponent.filter { $0.isLetter || $0.isNumber || "_.-".contains($0) }
        return try register(directory: directory, name: name.isEmpty ? "dataset" : name, version: "sha256-\(digest.prefix(12))",
                            registeredBy: registeredBy, within: within)
    }

    /// Records a version that arrived with a snapshot, whose artifact is already in the store.
    func adopt(_ record: DatasetRecord) throws {
        try table.write { transaction in
            let key = Array(record.reference.utf8)
            if let existing = try table.get(key, in: transaction) { return try Self.refuseConflict(existing, record) }
            try table.put(record, at: key, in: transaction)
        }
    }

    static func refuseConflict(_ existing: DatasetRecord, _ offered: DatasetRecord) throws {
        guard existing.digest == offered.digest else {
            throw RegistryError.differentDataset(reference: offered.reference, registered: existing.digest, offered: offered.digest)
        }
    }

    public func list() throws -> [DatasetRecord] { try table.scan().map(\.record) }

    public func dataset(_ reference: String) throws -> DatasetRecord {
        guard let record = try table.get(Array(reference.utf8)) else { throw RegistryError.datasetNotFound(reference) }
        return record
    }

    public func directory(of record: DatasetRecord) -> URL { artifacts.directory(.datasets, digest: record.digest) }

    public func verify(_ record: DatasetRecord) -> [String] { artifacts.verify(.datasets, digest: record.digest) }

    /// A registered `name@version`, or (no `@`, or a `/` in it) a BEIR directory on disk.
    public func resolve(_ nameOrPath: String) throws -> ResolvedDataset {
        if !nameOrPath.contains("/"), nameOrPath.contains("@") {
            let record = try dataset(nameOrPath)
            return ResolvedDataset(directory: directory(of: record), name: record.name, key: record.reference, digest: record.digest)
        }
        let directory = URL(fileURLWithPath: nameOrPath).standardizedFileURL
        return ResolvedDataset(directory: directory, name: directory.lastPathComponent, key: directory.path, digest: try Self.digest(of: directory))
    }

    /// The manifest digest of a BEIR directory's files, as registering it would give.
    public static func digest(of directory: URL) throws -> String {
        var entries: [ArtifactManifest.Entry] = []
        for file in BEIRDataset.files {
            let url = directory.appending(path: file)
            guard FileManager.default.fileExists(atPath: url.path) else { throw EvaluationError.unreadable(path: url.path) }
            let (sha, size) = try ArtifactManifest.sha256(of: url)
            entries.append(.init(path: file, sha256: sha, size: size))
        }
        return ArtifactManifest(entries: entries).digest
    }
}
