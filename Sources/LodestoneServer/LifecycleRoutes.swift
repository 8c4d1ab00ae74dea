import Foundation
import Hummingbird
import Lifecycle
import Logging
import Storage

/// Builds, promotion, rollback, gates and the audit trail over HTTP, the same operations as
/// `lodestone build|promote|rollback|gates|audit`.
struct LifecycleRoutes {
    let routes: RouteContext
    let jobs: BuildJobs

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        routes.on(router, .get, "/collections/{name}/builds") { _, context in
            let name = try collection(context)
            return ["builds": .array(try engine.lifecycle.builds.builds(of: name).map(describe))]
        }
        routes.raw(router, .post, "/collections/{name}/builds") { request, context in
            let start = ContinuousClock.now
            do {
                let name = try collection(context)
                let body = try await routes.body(request, required: false).map { try JSONFields($0) }
                var runner = BuildRunner(context: engine.lifecycle)
                runner.live = engine.openCollection(named: name)
                let record = try runner.begin(collection: name, model: try body?.string("model"),
                                              m: try body?.int("m", range: HNSWSettings.mRange),
                                              efConstruction: try body?.int("ef_construct", range: HNSWSettings.efConstructionRange),
                                              ef: try body?.int("ef", range: HNSWSettings.efRange))
                let logger = routes.logger
                jobs.start(record, runner: runner) { finished in
                    logger.info("build finished", metadata: ["build": "\(finished.id)", "status": "\(finished.status.rawValue)"])
                }
                return Envelope.ok(try describe(record), since: start, status: .accepted)
            } catch {
                return routes.errorResponse(error, request: request, start: start)
            }
        }
        routes.on(router, .get, "/collections/{name}/builds/{number}") { _, context in
            let (name, number) = try build(context)
            guard let record = try engine.lifecycle.builds.build(name, number) else {
                throw LifecycleError.buildNotFound(collection: name, number: number)
            }
            return try describe(record)
        }
        routes.on(router, .post, "/collections/{name}/builds/{number}/cancel") { _, context in
            let (name, number) = try build(context)
            guard jobs.cancel("\(name)-\(number)") else {
                throw APIError(status: .conflict, message: "Wrong input: build \(number) of `\(name)` is not running in this server")
            }
            return ["cancelled": true]
        }
        routes.raw(router, .post, "/collections/{name}/promote") { request, context in
            let start = ContinuousClock.now
            do {
                let name = try collection(context)
                let body = try await routes.fields(request)
                guard let number = try body.int("build", range: 0 ... Int(Int32.max)) else { throw APIError.badRequest("`build` is required") }
                let force = try body.bool("force", default: false)
                let reason = try body.string("reason")
                let actor = try actor(body)
                let outcome = try await offloaded { try engine.promote(collection: name, build: number, actor: actor, force: force, reason: reason) }
                let summary = try JSONValue(encoding: outcome)
                guard outcome.promoted else {
                    let message = "Wrong input: the gates refuse build \(number): " + outcome.gate.failures.joined(separator: "; ")
                    return Envelope.refused(message, result: summary, since: start)
                }
                return Envelope.ok(summary, since: start)
            } catch {
                return routes.errorResponse(error, request: request, start: start)
            }
        }
        routes.on(router, .post, "/collections/{name}/rollback") { request, context in
            let name = try collection(context)
            let body = try await routes.body(request, required: false).map { try JSONFields($0) }
            let reason = try body?.string("reason")
            let actor = try body.map(actor) ?? routes.actor(nil)
            let entry = try await offloaded { try engine.rollback(collection: name, actor: actor, reason: reason) }
            return try JSONValue(encoding: entry)
        }
        routes.on(router, .get, "/collections/{name}/audit") { _, context in
            let name = try collection(context)
            return ["entries": try JSONValue(encoding: try engine.lifecycle.audit.entries(of: name))]
        }
        routes.on(router, .get, "/collections/{name}/serving") { _, context in
            let name = try collection(context)
            let record = try engine.lifecycle.serving.record(name)
            let build = record.build ?? 0
            var result = try JSONValue(encoding: record).objectValue ?? [:]
            result["build"] = .int(Int64(build))
            result["model"] = try engine.store.collection(named: name).schema().embeddingModel.map(JSONValue.string) ?? .null
            result["rollback_target"] = record.rollbackTarget.map { .int(Int64($0)) } ?? .null
            // What this process searches right now (it follows a promotion made elsewhere within a second).
            result["live_build"] = engine.openCollection(named: name).map { .int(Int64($0.servingBuild)) } ?? .null
            if build > 0, let serving = try engine.lifecycle.builds.build(name, build) { result["serving_build"] = try describe(serving) }
            return .object(result)
        }
        routes.on(router, .get, "/collections/{name}/gates") { _, context in
            try JSONValue(encoding: try engine.lifecycle.serving.record(try collection(context)).gates)
        }
        routes.on(router, .put, "/collections/{name}/gates") { request, context in
            let name = try collection(context)
            let body = try await routes.fields(request)
            var gates = try engine.lifecycle.serving.record(name).gates
            if let value = try body.double("recall_floor") { gates.recallFloor = value }
            if let value = try body.double("recall_margin") { gates.recallMargin = value }
            if let value = try body.double("eval_margin") { gates.evaluationMargin = value }
            if let value = try body.int("keep_builds") { gates.keepBuilds = value }
            if let value = try body.string("eval_dataset") {
                // A registered dataset (name@version); a server path only inside the import root, registered on the way.
                let datasets = engine.lifecycle.datasets
                if !value.contains("/"), value.contains("@") {
                    gates.evaluationDataset = try datasets.dataset(value).reference
                } else {
                    // Registering a directory changes the server's dataset registry: global manage, as the upload route.
                    guard AccessGrant.current.allows(.manageServer) else {
                        throw APIError(status: .forbidden, message: RouteContext.forbiddenMessage(.manageServer, collection: nil)
                                       + " to register a dataset directory; name a registered dataset as name@version instead")
                    }
                    let importRoot = ImportRoot(routes.configuration.artifactsImportRoot)
                    let directory = try importRoot.check(
                        value, what: "an evaluation dataset",
                        instead: "upload it to POST /registry/datasets/upload?name=N&version=V and name it as N@V, or run `lodestone gates --collection \(name) --eval-dataset DIR` on the server")
                    gates.evaluationDataset = try datasets.registerForGate(directory: directory, registeredBy: try actor(body), within: importRoot.root).reference
                }
            }
            try GateSettingsChange(context: engine.lifecycle).apply(gates, to: name, actor: try actor(body))
            return try JSONValue(encoding: gates)
        }
    }

    private func actor(_ body: JSONFields) throws -> String { routes.actor(try body.string("actor")) }

    private func collection(_ context: BasicRequestContext) throws -> String {
        let name = try routes.engine.resolve(try context.parameters.require("name"))
        guard try routes.engine.collectionExists(name) else { throw APIError.notFound("Collection `\(name)` doesn't exist!") }
        return name
    }

    private func build(_ context: BasicRequestContext) throws -> (String, Int) {
        let name = try collection(context)
        guard let number = Int(try context.parameters.require("number")), number > 0 else {
            throw APIError.badRequest("build number must be a positive integer")
        }
        return (name, number)
    }

    private func describe(_ record: BuildRecord) throws -> JSONValue {
        var object = try JSONValue(encoding: record).objectValue ?? [:]
        if let progress = jobs.progress(of: record.id) {
            object["progress"] = ["phase": .string(progress.phase.rawValue), "done": .int(Int64(progress.done)), "total": .int(Int64(progress.total))]
        }
        return .object(object)
    }
}

extension JSONValue {
    /// Any Encodable as a JSON value (dates as ISO 8601).
    init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        self = try JSONValue(parsing: Array(try encoder.encode(value)))
    }
}
