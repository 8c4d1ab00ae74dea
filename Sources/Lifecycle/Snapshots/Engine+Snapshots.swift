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
        try checkRecoveryTarget(name)
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
        try recovery.prepareCollection(as: name)
        try recovery.installArtifacts(manifest)
        try recovery.install(manifest, as: name, actor: actor)
        return try collection(named: name)
    }

    /// Refuses a recovery into `name` before any of it is received: a bad name, an alias, or a
    /// collection whose build is running (it would write into the recovered builds).
    public func checkRecoveryTarget(_ name: String) throws {
        try CollectionSchema.validateName(name)
        if let collection = try aliases.collection(forAlias: name) {
            throw LifecycleError.invalidRequest("`\(name)` is an alias of `\(collection)`; recover into a collection name")
        }
        try refuseRunningBuilds(of: name)
    }

    func refuseRunningBuilds(of name: String) throws {
        if let running = try lifecycle.builds.builds(of: name).first(where: { $0.status == .building }) {
            throw LifecycleError.invalidRequest(
                "build \(running.number) of `\(name)` is running; cancel it (POST /collections/\(name)/builds/\(running.number)/cancel) or let it finish, then recover")
        }
    }

    /// Removes what recoveries a stopped process left unpacked.
    public func removeRecoveryStaging() {
        let staging = lifecycle.models.registry.artifacts.root.appending(path: "staging", directoryHint: .isDirectory)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
        for entry in entries where entry.hasPrefix("recover-") {
            try? FileManager.default.removeItem(at: staging.appending(path: entry))
        }
    }
}
