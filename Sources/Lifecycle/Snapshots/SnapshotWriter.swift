import Foundation
import Storage

/// Writes one collection's snapshot while it serves: consistent copies (`mdb_env_copy2`) of
/// its environment and of its builds' environments, its catalog records, and the artifacts
/// of the models and datasets it names, in one tar file with a checksum.
struct SnapshotWriter {
    let context: LifecycleContext
    let serving: ServingCollection
    let directory: SnapshotDirectory

    func write() throws -> SnapshotDescription {
        let name = serving.name
        let staging = try directory.staging()
        defer { try? FileManager.default.removeItem(at: staging) }
        let created = Date()
        var manifest = try serving.retainingChangeLog { try capture(into: staging, created: created) }
        let snapshotName = directory.newName(for: name, at: created)
        let partial = staging.appending(path: snapshotName)
        var tar = try TarWriter(creating: partial)
        var files: [SnapshotManifest.File] = []
        func add(_ path: String, _ source: URL) throws {
            let (sha256, size) = try tar.addFile(path, from: source)
            files.append(.init(path: path, sha256: sha256, size: size))
        }
        for environment in [SnapshotManifest.collectionEnvironment] + manifest.buildEnvironments.map(SnapshotManifest.buildEnvironment) {
            try add("\(environment)/data.mdb", staging.appending(path: "\(environment)/data.mdb"))
        }
        let artifacts = context.models.registry.artifacts
        for (kind, digest) in manifest.models.compactMap({ $0.digest }).map({ (ArtifactStore.Kind.models, $0) })
            + manifest.datasets.map({ (ArtifactStore.Kind.datasets, $0.digest) }) {
            let source = artifacts.directory(kind, digest: digest)
            for entry in try artifacts.manifest(kind, digest: digest).entries.map(\.path) + [ArtifactStore.manifestName] {
                try add("artifacts/\(kind.rawValue)/\(digest)/\(entry)", source.appending(path: entry))
            }
        }
        manifest.files = files
        try tar.addData(try manifest.encoded(), as: SnapshotManifest.fileName)
        let checksum = try tar.finish()
        let destination = directory.directory(of: name)
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: partial, to: destination.appending(path: snapshotName))
            try Data((checksum + "\n").utf8).write(to: URL(fileURLWithPath: destination.appending(path: snapshotName).path + SnapshotDirectory.checksumSuffix))
        } catch {
            throw LifecycleError.snapshotFailed("cannot store \(snapshotName): \(error.localizedDescription)")
        }
        guard let description = directory.describe(destination.appending(path: snapshotName)) else {
            throw LifecycleError.snapshotFailed("\(snapshotName) disappeared after it was written")
        }
        return description
    }

    /// Copies the environments into `staging` and gathers the records. The records are read
    /// first and the builds copied before the collection, so every copied build image is at
    /// or past its record's applied change and no later than the collection's copy: a
    /// recovered build catches up from the change log like one after a restart.
    private func capture(into staging: URL, created: Date) throws -> SnapshotManifest {
        let name = serving.name
        var (record, builds, policy, audit) = try context.serving.table.read { transaction in
            (try context.serving.record(name, in: transaction),
             try context.builds.builds(of: name, in: transaction),
             try context.policies.table.get(Array(name.utf8), in: transaction),
             try context.audit.table.scan(prefix: AuditTrail.prefix(name), in: transaction).map(\.record))
        }
        let stored = Set(try context.store.buildIDs())
        var environments: [Int] = []
        for index in builds.indices {
            if builds[index].status == .building {
                builds[index].status = .failed
                builds[index].failure = "interrupted: the snapshot was taken while this build was running"
                builds[index].finishedAt = created
                continue
            }
            guard builds[index].status != .failed, stored.contains(builds[index].id) else { continue }
            let copy = staging.appending(path: SnapshotManifest.buildEnvironment(builds[index].number), directoryHint: .isDirectory)
            try context.store.build(id: builds[index].id).environment.copy(to: copy)
            environments.append(builds[index].number)
        }
        let lastSequence = try serving.store.lastSequence()
        try serving.store.environment.copy(to: staging.appending(path: SnapshotManifest.collectionEnvironment, directoryHint: .isDirectory))
        let schema = try serving.store.schema()
        let references = Set([schema.embeddingModel] + builds.map(\.model) + record.bindings.map(\.model)).compactMap { $0 }
        // A version deleted from the registry since is left out: its builds serve from their
        // stored images, and nothing can embed with it here either.
        let models = try references.sorted().compactMap { reference -> ModelRecord? in
            do { return try context.models.registry.model(reference) } catch RegistryError.modelNotFound { return nil }
        }
        if let legacy = models.first(where: { $0.digest == nil }) {
            throw LifecycleError.invalidRequest("model \(legacy.reference) was registered before the artifact store and has no digest; "
                                                + "register its directory again under a new version and rebuild, then take the snapshot")
        }
        let datasets = record.gates.evaluationDataset.flatMap { try? context.datasets.dataset($0) }.map { [$0] } ?? []
        if record.shadow != nil || record.canary != nil {
            // A rollout in progress is this server's traffic experiment, not the collection's data.
            record.shadow = nil
            record.canary = nil
        }
        return SnapshotManifest(format: SnapshotManifest.currentFormat, collection: name, createdAt: created, lastSequence: lastSequence,
                                serving: record, builds: builds, buildEnvironments: environments, policy: policy, audit: audit,
                                models: models, datasets: datasets, files: [])
    }
}
