import Crypto
import Embeddings
import Foundation
import Storage

/// The embedding-model registry: `name@version` -> `ModelRecord`, in the catalog environment.
/// Registering copies every file that determines the embeddings into the artifact store; the
/// version's identity is the digest of their manifest. The same reference with other files is
/// refused with both digests, the same files again is a no-op.
public struct ModelRegistry: Sendable {
    let table: CatalogTable<ModelRecord>
    public let artifacts: ArtifactStore

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "models", magic: "LMDL", what: "model")
        artifacts = ArtifactStore(dataDirectory: store.directory)
    }

    /// Registers the model directory as `name@version`: its files are copied into the artifact
    /// store and loaded from there (so a broken directory is refused with the loader's error,
    /// and what was checked is what will serve).
    @discardableResult
    /// `within`: files (and links) must resolve inside this directory (an HTTP caller's import root).
    public func register(directory: URL, name: String, version: String, registeredBy: String, within: URL? = nil) throws -> ModelRecord {
        try register(directory: directory, name: name, version: version, registeredBy: registeredBy,
                     source: directory.standardizedFileURL.path, within: within)
    }

    private func register(directory: URL, name: String, version: String, registeredBy: String, source: String,
                          within: URL? = nil) throws -> ModelRecord {
        for part in [name, version] { try Self.validate(part) }
        return try artifacts.importing(try ModelFiles.determining(directory), from: directory, kind: .models, within: within,
                                       isReferenced: { digest in (try? list().contains { $0.digest == digest }) ?? true }) { manifest in
            try record(manifest, name: name, version: version, registeredBy: registeredBy, source: source)
        }
    }

    private func record(_ manifest: ArtifactManifest, name: String, version: String, registeredBy: String, source: String) throws -> ModelRecord {
        let embedder = try SentenceEmbedder(modelDirectory: artifacts.directory(.models, digest: manifest.digest))
        let weights = manifest.entries.first { $0.path == "model.safetensors" }?.sha256 ?? ""
        let info = embedder.info
        var record = ModelRecord(
            name: name, version: version, weightsSHA256: weights, architecture: info.architecture,
            dimension: info.dimension, layers: info.layerCount, pooling: info.pooling.rawValue, normalizes: info.normalizes,
            maxTokens: info.maxSequenceLength, path: source, digest: manifest.digest,
            registeredAt: Date(), registeredBy: registeredBy, stage: .none)
        return try table.write { transaction in
            let key = Array(record.reference.utf8)
            if let existing = try table.get(key, in: transaction) {
                if let registered = existing.digest {
                    guard registered == manifest.digest else {
                        throw RegistryError.differentManifest(reference: record.reference, registered: registered, offered: manifest.digest)
                    }
                } else if existing.weightsSHA256 != weights {
                    throw RegistryError.differentWeights(reference: record.reference, registered: existing.weightsSHA256, offered: weights)
                }
                return existing
            }
            record.registeredAt = Date(timeIntervalSince1970: record.registeredAt.timeIntervalSince1970.rounded())
            try table.put(record, at: key, in: transaction)
            return record
        }
    }

    /// Records a version that arrived with a snapshot, whose artifact is already in the store.
    /// The same version with other files is refused as at registration; the same is a no-op.
    func adopt(_ record: ModelRecord) throws {
        try table.write { transaction in
            let key = Array(record.reference.utf8)
            if let existing = try table.get(key, in: transaction) { return try Self.refuseConflict(existing, record) }
            try table.put(record, at: key, in: transaction)
        }
    }

    /// The same reference with other files is refused, naming both digests.
    static func refuseConflict(_ existing: ModelRecord, _ offered: ModelRecord) throws {
        guard existing.digest == offered.digest, existing.weightsSHA256 == offered.weightsSHA256 else {
            throw RegistryError.differentManifest(reference: offered.reference, registered: existing.digest ?? existing.weightsSHA256,
                                                  offered: offered.digest ?? offered.weightsSHA256)
        }
    }

    /// Registers a model uploaded as a tar stream (the directory's files at the top, or under
    /// one top-level directory). The upload is unpacked into the artifact store's staging area
    /// and registered from there, so no server path is named by the caller.
    @discardableResult
    public func register(tar bytes: [UInt8], name: String, version: String, registeredBy: String) throws -> ModelRecord {
        for part in [name, version] { try Self.validate(part) }
        return try artifacts.withUnpackedUpload(bytes, marker: "config.json") { root in
            try register(directory: root, name: name, version: version, registeredBy: registeredBy, source: "upload")
        }
    }

    /// Where a version's files are read from: its artifact, or for a version registered before
    /// the artifact store, the directory it was registered from.
    public func directory(of record: ModelRecord) -> URL {
        artifacts.directory(of: record)
    }

    /// Re-hashes a version's artifact; empty when intact.
    public func verify(_ record: ModelRecord) -> [String] {
        guard let digest = record.digest else { return [] }
        return artifacts.verify(.models, digest: digest)
    }

    public func list() throws -> [ModelRecord] {
        try table.scan().map(\.record)
    }

    public func model(_ reference: String) throws -> ModelRecord {
        _ = try ModelRecord.parse(reference: reference)
        guard let record = try table.get(Array(reference.utf8)) else {
            throw RegistryError.modelNotFound(reference)
        }
        return record
    }

    /// Sets a version's stage. Promoting one version of a name to production archives the
    /// version that held it, so each name has at most one production version.
    @discardableResult
    public func setStage(_ reference: String, _ stage: ModelStage) throws -> [ModelRecord] {
        let target = try ModelRecord.parse(reference: reference)
        return try table.write { transaction in
            guard var record = try table.get(Array(reference.utf8), in: transaction) else {
                throw RegistryError.modelNotFound(reference)
            }
            var changed: [ModelRecord] = []
            if stage == .production {
                for (key, var other) in try table.scan(in: transaction)
                where other.name == target.name && other.version != target.version && other.stage == .production {
                    other.stage = .archived
                    try table.put(other, at: key, in: transaction)
                    changed.append(other)
                }
            }
            record.stage = stage
            try table.put(record, at: Array(reference.utf8), in: transaction)
            return [record] + changed
        }
    }

    /// What still needs a model version: collections bound to it and their ready or running
    /// builds on it (a rollback target must be able to embed again with its model).
    public func users(of reference: String, store: Store) throws -> [String] {
        let builds = try BuildCatalog(store: store)
        var users: [String] = []
        for schema in try store.collections() {
            if schema.embeddingModel == reference { users.append(schema.name) }
            for build in try builds.builds(of: schema.name)
            where build.model == reference && (build.status == .ready || build.status == .building) {
                users.append("\(schema.name) (build \(build.number))")
            }
        }
        return users
    }

    /// Removes a version; refused while anything in `boundCollections` (see `users`) needs it.
    public func delete(_ reference: String, boundCollections: [String]) throws {
        guard boundCollections.isEmpty else { throw RegistryError.inUse(reference: reference, collections: boundCollections) }
        let removed = try table.write { try table.remove(Array(reference.utf8), in: $0) }
        guard removed else { throw RegistryError.modelNotFound(reference) }
    }

    static func validate(_ part: String) throws {
        let allowed = !part.isEmpty && part.count <= 128 && part.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0))
        }
        guard allowed else { throw RegistryError.invalidName(part) }
    }
}
