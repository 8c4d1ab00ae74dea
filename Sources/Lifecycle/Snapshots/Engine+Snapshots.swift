import Foundation
import Storage

extension Engine {
    /// Writes a snapshot of `collection` into `directory` while it serves, and audits it.
    public func createSnapshot(of collection: String, in directory: SnapshotDirectory, actor: String) throws -> SnapshotDescription {
        let serving = try self.collection(named: collection)
        let description = try SnapshotWriter(context: lifecycle, serving: serving, directory: directory).write()
        try lifecycle.audit.append(AuditEntry(collection: collection, actor: actor, action: .snapshotCreated, fromBuild: nil,
                                              toBuild: serving.servingBuild, reason: "\(description.name) (\(description.size) bytes, sha256 \(description.checksum ?? "?"))"))
        return description
    }

    /// Recovers collection `name` from a snapshot's bytes (a memory-mapped file, or the part of
    /// an upload that holds it), replacing the collection when it exists, and opens it.
    @discardableResult
    public func recoverSnapshot(_ bytes: Data, into name: String, checksum: String?, actor: String) throws -> ServingCollection {
        try CollectionSchema.validateName(name)
        if try aliases.collection(forAlias: name) != nil {
            throw LifecycleError.invalidRequest("`\(name)` is an alias; recover into a collection name (the alias's collection is \(try aliases.collection(forAlias: name) ?? ""))")
        }
        recovering.lock()
        defer { recovering.unlock() }
        // Unpacked inside the data directory, so the environments move into place by rename.
        let staging = lifecycle.models.registry.artifacts.root.appending(path: "staging/recover-\(UUID().uuidString)", directoryHint: .isDirectory)
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw LifecycleError.snapshotFailed("cannot create a staging directory: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: staging) }
        let recovery = SnapshotRecovery(engine: self, staging: staging)
        let manifest = try recovery.prepare(bytes, checksum: checksum)
        try recovery.installArtifacts(manifest)
        try recovery.install(manifest, as: name, actor: actor)
        return try collection(named: name)
    }
}
