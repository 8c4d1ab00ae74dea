import Foundation
import Synchronization

extension Store {
    /// Writes a consistent, compacted copy of every environment into `target` (new or empty)
    /// while the store stays in use. Each environment is copied from one snapshot; collections
    /// are not frozen against each other. Creating or deleting collections waits meanwhile.
    public func backup(to target: URL) throws {
        let target = target.standardizedFileURL
        try Self.requireEmptyDirectory(target)
        directoryLock.lock()
        defer { directoryLock.unlock() }
        try catalog.copy(to: target.appending(path: "catalog", directoryHint: .isDirectory))
        var sequences: [String: UInt64] = [:]
        for name in try collectionNames() {
            let collection = try openCollection(named: name)
            // Read before the copy starts, so the copy holds at least this much of the log.
            sequences[name] = try collection.lastSequence()
            try collection.environment.copy(to: target.appending(path: "collections/\(name)", directoryHint: .isDirectory))
        }
        var builds: [String] = []
        for id in try buildIDs() {
            let build = try handles.withLock({ $0.builds[id] }) ?? BuildStore(path: buildDirectory(id), options: options.builds)
            handles.withLock { $0.builds[id] = build }
            try build.environment.copy(to: target.appending(path: "builds/\(id)", directoryHint: .isDirectory))
            builds.append(id)
        }
        try copyArtifacts(from: directory, to: target)
        try BackupManifest(createdAt: Date(), collections: sequences, builds: builds).write(to: target)
    }

    /// The artifact store (registered models' and datasets' files) is immutable and complete
    /// once named, so a plain copy is consistent; unfinished imports (`staging`) are left out.
    static let artifactKinds = ["models", "datasets"]

    func copyArtifacts(from source: URL, to target: URL) throws {
        try Self.copyArtifacts(from: source, to: target)
    }

    static func copyArtifacts(from source: URL, to target: URL) throws {
        let manager = FileManager.default
        for kind in artifactKinds {
            let from = source.appending(path: "artifacts/\(kind)", directoryHint: .isDirectory)
            guard manager.fileExists(atPath: from.path) else { continue }
            let to = target.appending(path: "artifacts/\(kind)", directoryHint: .isDirectory)
            do {
                try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.copyItem(at: from, to: to)
            } catch {
                throw StorageError.io(path: to.path, reason: "cannot copy the artifact store: \(error)")
            }
        }
    }

    /// Copies a backup made by `backup(to:)` into `target` (new or empty), after checking its
    /// manifest and that every environment it names is there. Open a `Store` on `target` next.
    public static func restore(from backup: URL, to target: URL) throws {
        let backup = backup.standardizedFileURL
        let target = target.standardizedFileURL
        let manifest = try BackupManifest.read(from: backup)
        let environments = ["catalog"] + manifest.collections.keys.sorted().map { "collections/\($0)" } + manifest.builds.map { "builds/\($0)" }
        for environment in environments {
            let dataFile = backup.appending(path: "\(environment)/data.mdb")
            guard FileManager.default.fileExists(atPath: dataFile.path) else {
                throw StorageError.notABackup(path: backup.path, reason: "\(environment)/data.mdb is missing")
            }
        }
        try requireEmptyDirectory(target)
        for environment in environments {
            let destination = target.appending(path: environment, directoryHint: .isDirectory)
            do {
                try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    at: backup.appending(path: "\(environment)/data.mdb"),
                    to: destination.appending(path: "data.mdb")
                )
            } catch {
                throw StorageError.io(path: destination.path, reason: "cannot copy from backup: \(error)")
            }
        }
        try copyArtifacts(from: backup, to: target)
        // Open once so a damaged or foreign copy fails here, not at first use.
        let restored = try Store(directory: target)
        for name in try restored.collectionNames() {
            _ = try restored.collection(named: name).schema()
        }
    }

    static func requireEmptyDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? ["?"]
            guard isDirectory.boolValue, contents.isEmpty else {
                throw StorageError.targetNotEmpty(path: url.path)
            }
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io(path: url.path, reason: "cannot create directory: \(error)")
        }
    }
}
