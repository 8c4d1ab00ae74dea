import Hummingbird
import Lifecycle
import Storage

/// The serving query pipeline over HTTP: `GET|PUT /collections/{name}/pipeline` and
/// `POST .../pipeline/rollback`, the same operations as `lodestone pipeline`.
struct PipelineRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        routes.on(router, .get, "/collections/{name}/pipeline") { _, context in
            let name = try collection(context)
            let record = try engine.lifecycle.serving.record(name)
            return ["pipeline": try JSONValue(encoding: record.pipeline ?? .dense),
                    "previous": try JSONValue(encoding: record.previousPipelines ?? [])]
        }
        routes.raw(router, .put, "/collections/{name}/pipeline") { request, context in
            let start = ContinuousClock.now
            do {
                let name = try collection(context)
                let body = try await routes.fields(request)
                try body.refuseUnknown(allowed: ["pipeline", "sparse_vector", "prefetch_limit", "rrf_k", "force", "reason", "actor"])
                let candidate = try Self.pipeline(body)
                let force = try body.bool("force", default: false)
                let reason = try body.string("reason")
                let actor = routes.actor(try body.string("actor"))
                let live = engine.openCollection(named: name)
                let outcome = try await offloaded {
                    try PipelinePromoter(context: engine.lifecycle).change(collection: name, to: candidate, actor: actor, force: force,
                                                                          reason: reason, live: live)
                }
                let summary = try JSONValue(encoding: outcome)
                guard outcome.changed else {
                    let message = "Wrong input: the gate refuses \(candidate): " + outcome.gate.failures.joined(separator: "; ")
                    return Envelope.refused(message, result: summary, since: start)
                }
                return Envelope.ok(summary, since: start)
            } catch {
                return routes.errorResponse(error, request: request, start: start)
            }
        }
        routes.on(router, .post, "/collections/{name}/pipeline/rollback") { request, context in
            let name = try collection(context)
            let body = try await routes.body(request, required: false).map { try JSONFields($0) }
            let entry = try PipelinePromoter(context: engine.lifecycle).rollback(
                collection: name, actor: routes.actor(try body?.string("actor")), reason: try body?.string("reason"),
                live: engine.openCollection(named: name))
            return try JSONValue(encoding: entry)
        }
    }

    /// `{"pipeline": "dense" | "hybrid", "sparse_vector", "prefetch_limit", "rrf_k"}`.
    static func pipeline(_ body: JSONFields) throws -> ServingPipeline {
        let kind: ServingPipeline.Kind
        switch try body.requireString("pipeline") {
        case "dense": kind = .dense
        case "hybrid": kind = .hybrid
        case let other: throw APIError.badRequest("`pipeline` must be `dense` or `hybrid`, got `\(other)`")
        }
        guard kind == .hybrid || (body["sparse_vector"] == nil && body["prefetch_limit"] == nil && body["rrf_k"] == nil) else {
            throw APIError.badRequest("`sparse_vector`, `prefetch_limit` and `rrf_k` belong to the hybrid pipeline")
        }
        return ServingPipeline(kind: kind, sparseVector: try body.string("sparse_vector"),
                               prefetchLimit: try body.int("prefetch_limit", default: 20, range: 1 ... 10_000)!,
                               rrfK: try body.int("rrf_k", default: 2, range: 1 ... 1_000_000)!)
    }

    private func collection(_ context: BasicRequestContext) throws -> String {
        let name = try routes.engine.resolve(try context.parameters.require("name"))
        guard try routes.engine.collectionExists(name) else { throw APIError.notFound("Collection `\(name)` doesn't exist!") }
        return name
    }
}
