import Foundation
import Hummingbird
import Lifecycle
import Logging
import NIOCore
import Storage

/// Qdrant's collection snapshot API: create while serving, list, download (streamed),
/// delete, recover from a `file://` location inside the snapshots directory or from an upload.
struct SnapshotRoutes {
    let routes: RouteContext
    /// Snapshots copy environments and hash gigabytes: one at a time, off the request threads,
    /// behind a bounded queue (a full queue is a 503).
    let work = BoundedExecutor(name: "snapshot", threads: 1, capacity: 8)
    static let priorities: Set<String> = ["replica", "snapshot", "no_sync"]

    var directory: SnapshotDirectory { SnapshotDirectory(root: routes.configuration.snapshotsURL) }

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        let directory = directory
        // Uploads and recoveries a stopped server left half done.
        directory.removeStaging()
        engine.removeRecoveryStaging()
        routes.raw(router, .post, "/collections/{name}/snapshots") { request, context in
            try await answer(request, waiting: try Self.waits(request)) {
                let name = try existingCollection(context)
                let actor = routes.actor(nil)
                return Job(run: { try JSONValue(encoding: engine.createSnapshot(of: name, in: directory, actor: actor)) })
            }
        }
        routes.on(router, .get, "/collections/{name}/snapshots") { _, context in
            try JSONValue(encoding: directory.list(try existingCollection(context)))
        }
        routes.raw(router, .get, "/collections/{name}/snapshots/{snapshot_name}") { request, context in
            let start = ContinuousClock.now
            do {
                let name = try existingCollection(context)
                let file = try directory.file(name, try context.parameters.require("snapshot_name"))
                var response = Response(status: .ok, body: try await FileIO().loadFile(path: file.path, context: context))
                response.headers[.contentType] = "application/octet-stream"
                response.headers[.contentDisposition] = "attachment; filename=\"\(file.lastPathComponent)\""
                return response
            } catch {
                return routes.errorResponse(error, request: request, start: start)
            }
        }
        routes.raw(router, .delete, "/collections/{name}/snapshots/{snapshot_name}") { request, context in
            try await answer(request, waiting: try Self.waits(request)) {
                let name = try existingCollection(context)
                let snapshot = try context.parameters.require("snapshot_name")
                _ = try directory.file(name, snapshot)
                return Job(run: { try directory.delete(name, snapshot); return .bool(true) })
            }
        }
        routes.raw(router, .put, "/collections/{name}/snapshots/recover") { request, context in
            try await answer(request, waiting: try Self.waits(request)) {
                let name = try context.parameters.require("name")
                let body = try await routes.fields(request)
                try body.refuseUnknown(allowed: ["location", "priority", "checksum", "api_key"])
                let location = try body.requireString("location")
                try Self.checkPriority(try body.string("priority"))
                if try body.string("api_key") != nil {
                    throw APIError.badRequest("`api_key` is for downloading a snapshot from another server, which this server does not do; give a file:// location or upload the file")
                }
                let checksum = try body.string("checksum")
                try engine.checkRecoveryTarget(name)
                let file = try directory.resolve(location: location)
                let actor = routes.actor(nil)
                return Job(run: {
                    let bytes = try Data(contentsOf: file, options: .alwaysMapped)
                    try engine.recoverSnapshot(bytes, into: name, checksum: checksum, actor: actor)
                    return .bool(true)
                })
            }
        }
        routes.raw(router, .post, "/collections/{name}/snapshots/upload") { request, context in
            try await answer(request, waiting: try Self.waits(request)) {
                let name = try context.parameters.require("name")
                let query = request.uri.queryParameters
                try Self.checkPriority(query.get("priority").map { String($0) })
                let checksum = query.get("checksum").map { String($0) }
                // Refused before a byte of the upload is stored.
                try engine.checkRecoveryTarget(name)
                let staging = try directory.staging()
                do {
                    let received = staging.appending(path: "upload")
                    try await SnapshotUpload.receive(request, into: received, limit: routes.configuration.maxSnapshotUploadBytes, context: context)
                    let contentType = request.headers[.contentType]
                    let actor = routes.actor(nil)
                    return Job(run: {
                        defer { try? FileManager.default.removeItem(at: staging) }
                        try engine.recoverSnapshot(try SnapshotUpload.snapshotBytes(in: received, contentType: contentType),
                                                   into: name, checksum: checksum, actor: actor)
                        return .bool(true)
                    }, refused: { try? FileManager.default.removeItem(at: staging) })
                } catch {
                    try? FileManager.default.removeItem(at: staging)
                    throw error
                }
            }
        }
    }

    /// Work checked and ready to run on the snapshot thread; `refused` undoes what preparing
    /// left behind (an upload on disk) when the queue is full and the work never runs.
    struct Job: Sendable {
        var run: @Sendable () throws -> JSONValue
        var refused: @Sendable () -> Void = {}
    }

    /// Checks the request (`prepare`, on the request's task), then runs its job on the
    /// snapshot thread: answered when done, or at once with 202 `accepted` for `wait=false`.
    private func answer(_ request: Request, waiting: Bool, _ prepare: () async throws -> Job) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let job = try await prepare()
            do {
                guard waiting else {
                    let logger = routes.logger, path = request.uri.path
                    try work.submit {
                        do { _ = try job.run() } catch {
                            logger.error("snapshot operation failed", metadata: ["path": "\(path)", "error": "\(error)"])
                        }
                    }
                    return Envelope.json(["result": .null, "status": "accepted", "time": Envelope.elapsed(since: start)], status: .accepted)
                }
                return Envelope.ok(try await work.run(job.run), since: start)
            } catch let refusal as ExecutorRefusal {
                job.refused()
                throw refusal
            }
        } catch {
            return routes.errorResponse(error, request: request, start: start)
        }
    }

    private func existingCollection(_ context: BasicRequestContext) throws -> String {
        let name = try routes.engine.resolve(try context.parameters.require("name"))
        guard try routes.engine.collectionExists(name) else { throw StorageError.collectionNotFound(name) }
        return name
    }

    /// Qdrant's default for snapshot operations is to wait.
    static func waits(_ request: Request) throws -> Bool {
        guard let value = request.uri.queryParameters.get("wait") else { return true }
        switch value {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("`wait` must be true or false, got `\(value)`")
        }
    }

    /// One node has no replicas to prefer over the snapshot, so every priority recovers the same.
    static func checkPriority(_ priority: String?) throws {
        guard let priority, !priorities.contains(priority) else { return }
        throw APIError.badRequest("`priority` must be one of replica, snapshot, no_sync; got `\(priority)`")
    }
}
