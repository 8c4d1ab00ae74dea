import Crypto
import Foundation
import Storage
import Synchronization

/// Recovers a collection from a snapshot file. Everything that can refuse (checksum, tar,
/// manifest, per-file hashes, registry conflicts) runs before the collection is touched;
/// only then is an existing collection of that name replaced, as Qdrant does.
struct SnapshotRecovery {
    let engine: Engine
    /// An empty directory on the data directory's file system, removed by the caller.
    let staging: URL

    /// Unpacks and checks the snapshot; returns its manifest.
    func prepare(_ bytes: Data, checksum: String?) throws -> SnapshotManifest {
        if let checksum {
            let actual = ArtifactManifest.hex(SHA256.hash(data: bytes))
            guard actual == checksum.lowercased() else {
                throw LifecycleError.snapshotInvalid("its SHA-256 is \(actual), not the checksum given (\(checksum))")
            }
        }
        let extracted: [String]
        do {
            extracted = try TarArchive.extract(bytes, into: staging)
        } catch let failure as TarArchive.Failure {
            throw LifecycleError.snapshotInvalid(failure.description)
        }
        let manifest = try SnapshotManifest.read(from: staging)
        let listed = Set(manifest.files.map(\.path))
        if let extra = extracted.first(where: { $0 != SnapshotManifest.fileName && !listed.contains($0) }) {
            throw LifecycleError.snapshotInvalid("it holds `\(extra)`, which its manifest does not list")
        }
        let environments = [SnapshotManifest.collectionEnvironment] + manifest.buildEnvironments.map(SnapshotManifest.buildEnvironment)
        if let missing = environments.first(where: { !listed.contains("\($0)/data.mdb") }) {
            throw LifecycleError.snapshotInvalid("its manifest lists no \(missing)/data.mdb")
        }
        for file in manifest.files {
            guard ArtifactStore.isSafeRelativePath(file.path),
                  let (sha256, size) = try? ArtifactManifest.sha256(of: staging.appending(path: file.path)) else {
                throw LifecycleError.snapshotInvalid("\(file.path) is missing")
            }
            guard sha256 == file.sha256, size == file.size else {
                throw LifecycleError.snapshotInvalid("\(file.path) is damaged (sha256 \(sha256.prefix(12))…, the manifest says \(file.sha256.prefix(12))…)")
            }
        }
        try checkRecords(manifest)
        try checkRegistry(manifest)
        return manifest
    }

    /// The records must describe what the snapshot holds: artifact digests that are digests
    /// (they name directories), each copied build once, with a record, and the serving build
    /// among them with an index image that loads.
    private func checkRecords(_ manifest: SnapshotManifest) throws {
        for digest in manifest.models.map(\.digest) + manifest.datasets.map(\.digest) {
            guard let digest, Self.isDigest(digest) else {
                throw LifecycleError.snapshotInvalid("it names a model or dataset without a SHA-256 digest; only artifact-store versions can travel in a snapshot")
            }
        }
        let copied = manifest.buildEnvironments
        guard Set(copied).count == copied.count, copied.allSatisfy({ $0 > 0 }) else {
            throw LifecycleError.snapshotInvalid("its build environments are listed twice or numbered below 1")
        }
        let records = Dictionary(manifest.builds.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        guard records.count == manifest.builds.count, copied.allSatisfy({ records[$0] != nil }) else {
            throw LifecycleError.snapshotInvalid("its build records and build environments do not match")
        }
        if let serving = manifest.serving.build, serving > 0 {
            guard copied.contains(serving) else { throw LifecycleError.snapshotInvalid("it serves build \(serving) but holds no copy of it") }
            let environment = staging.appending(path: SnapshotManifest.buildEnvironment(serving), directoryHint: .isDirectory)
            guard try IndexImageChain.load(from: BuildStore(path: environment).blobs) != nil else {
                throw LifecycleError.snapshotInvalid("the serving build \(serving) holds no index image")
            }
        }
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48 ... 57).contains($0) || (97 ... 102).contains($0) }
    }

    /// Renames and opens the staged collection environment (its format and schema are checked
    /// here, before anything of the existing collection is touched).
    func prepareCollection(as name: String) throws {
        try engine.store.prepareInstall(of: staging.appending(path: SnapshotManifest.collectionEnvironment, directoryHint: .isDirectory), as: name)
    }

    /// A model or dataset version this server has with other files refuses the snapshot.
    private func checkRegistry(_ manifest: SnapshotManifest) throws {
        let lifecycle = engine.lifecycle
        for model in manifest.models {
            if let existing = try? lifecycle.models.registry.model(model.reference) { try ModelRegistry.refuseConflict(existing, model) }
        }
        for dataset in manifest.datasets {
            if let existing = try? lifecycle.datasets.dataset(dataset.reference) { try DatasetRegistry.refuseConflict(existing, dataset) }
        }
    }

    /// Copies the snapshot's model and dataset artifacts into the store (checking each digest
    /// again) and records the versions this server does not have.
    func installArtifacts(_ manifest: SnapshotManifest) throws {
        let lifecycle = engine.lifecycle
        for model in manifest.models {
            if let digest = model.digest { try importArtifact(.models, digest: digest) }
            try lifecycle.models.registry.adopt(model)
        }
        for dataset in manifest.datasets {
            try importArtifact(.datasets, digest: dataset.digest)
            try lifecycle.datasets.adopt(dataset)
        }
    }

    private func importArtifact(_ kind: ArtifactStore.Kind, digest: String) throws {
        let artifacts = engine.lifecycle.models.registry.artifacts
        let source = staging.appending(path: "artifacts/\(kind.rawValue)/\(digest)", directoryHint: .isDirectory)
        guard let text = try? String(contentsOf: source.appending(path: ArtifactStore.manifestName), encoding: .utf8) else {
            throw LifecycleError.snapshotInvalid("it names \(kind.rawValue) artifact \(digest.prefix(12))… but does not hold it")
        }
        let imported = try artifacts.importFiles(try ArtifactManifest(parsing: text).entries.map(\.path), from: source, kind: kind)
        guard imported.digest == digest else {
            throw LifecycleError.snapshotInvalid("\(kind.rawValue) artifact \(digest.prefix(12))… holds files whose digest is \(imported.digest.prefix(12))…")
        }
    }

    /// Replaces (or creates) collection `name` with the snapshot's environments and records.
    /// Opening any collection waits meanwhile (the engine's opening lock), so no request opens
    /// the old environment with the new records; aliases of the name stay as they are.
    func install(_ manifest: SnapshotManifest, as name: String, actor: String) throws {
        let lifecycle = engine.lifecycle
        engine.opening.lock()
        defer { engine.opening.unlock() }
        try engine.refuseRunningBuilds(of: name)
        _ = engine.open.withLock { $0.removeValue(forKey: name) }
        for build in try lifecycle.builds.builds(of: name) { try engine.store.deleteBuild(id: build.id) }
        try lifecycle.builds.removeAll(of: name)
        try lifecycle.serving.remove(name)
        try lifecycle.policies.remove(name)
        for number in manifest.buildEnvironments {
            try engine.store.installBuild(from: staging.appending(path: SnapshotManifest.buildEnvironment(number)),
                                          id: LifecycleContext.buildID(name, number))
        }
        let key = Array(name.utf8)
        let existingAudit = Dictionary(try lifecycle.audit.entries(of: name).map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        try lifecycle.serving.table.write { transaction in
            for var build in manifest.builds {
                build.collection = name
                try lifecycle.builds.save(build, in: transaction)
            }
            var record = manifest.serving
            record.collection = name
            try lifecycle.serving.table.put(record, at: key, in: transaction)
            if let policy = manifest.policy { try lifecycle.policies.table.put(policy, at: key, in: transaction) }
            // The trail is append-only: the snapshot's history follows what this name had,
            // less the entries it already has (a collection recovered from its own snapshot).
            for var entry in manifest.audit {
                entry.collection = name
                if existingAudit[entry.number] == entry { continue }
                try lifecycle.audit.append(entry, in: transaction)
            }
            let taken = ISO8601DateFormatter().string(from: manifest.createdAt)
            try lifecycle.audit.append(AuditEntry(
                collection: name, actor: actor, action: .snapshotRecovered, fromBuild: nil, toBuild: record.build,
                reason: "recovered from a snapshot of `\(manifest.collection)` taken \(taken) (through change \(manifest.lastSequence)), \(manifest.builds.count) builds"),
                in: transaction)
        }
        // Last, the commit point: the collection's catalog entry names the new environment.
        try engine.store.installCollection(from: staging.appending(path: SnapshotManifest.collectionEnvironment), as: name, replacing: true)
        engine.loading.withLock { _ = $0.failed.removeValue(forKey: name) }
        _ = engine.open.withLock { $0.removeValue(forKey: name) }
    }
}
