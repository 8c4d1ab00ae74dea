import Crypto
import Embeddings
import Foundation
import Storage

/// The embedding-model registry: `name@version` -> `ModelRecord`, in the catalog environment.
/// A version's weights never change: registering the same reference with other weights is
/// refused, the same weights again is a no-op.
public struct ModelRegistry: Sendable {
    let table: CatalogTable<ModelRecord>

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "models", magic: "LMDL", what: "model")
    }

    /// Registers the model directory as `name@version`, after loading it (so a broken
    /// directory is refused with the loader's error) and hashing its weights.
    @discardableResult
    public func register(directory: URL, name: String, version: String, registeredBy: String) throws -> ModelRecord {
        for part in [name, version] { try Self.validate(part) }
        let embedder = try SentenceEmbedder(modelDirectory: directory)
        let digest = try Self.sha256(of: directory.appendingPathComponent("model.safetensors"))
        let info = embedder.info
        var record = ModelRecord(
            name: name, version: version, weightsSHA256: digest, architecture: info.architecture,
            dimension: info.dimension, layers: info.layerCount, pooling: info.pooling.rawValue, normalizes: info.normalizes,
            maxTokens: info.maxSequenceLength, path: directory.standardizedFileURL.path,
            registeredAt: Date(), registeredBy: registeredBy, stage: .none)
        return try table.write { transaction in
            let key = Array(record.reference.utf8)
            if let existing = try table.get(key, in: transaction) {
                guard existing.weightsSHA256 == digest else {
                    throw RegistryError.differentWeights(reference: record.reference, registered: existing.weightsSHA256, offered: digest)
                }
                return existing
            }
            record.registeredAt = Date(timeIntervalSince1970: record.registeredAt.timeIntervalSince1970.rounded())
            try table.put(record, at: key, in: transaction)
            return record
        }
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

    /// Streams the file through SHA-256 in 4 MiB reads.
    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
