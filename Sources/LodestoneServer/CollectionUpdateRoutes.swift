import Hummingbird
import Lifecycle
import Logging
import Storage
import Synchronization

/// `PATCH /collections/{name}`, Qdrant's update of a collection. A new `quantization_config`
/// is not switched on in place: it starts a build with those codes, whose recall is measured
/// against the serving build, and the build is promoted through every gate when it is ready.
/// The collection reports the new setting once that promotion lands; a gate that refuses is
/// recorded in the audit trail, and the collection keeps serving as it was. A dense vector's
/// `on_disk` (in `vectors`) moves its floats at once: placement changes no answer.
struct CollectionUpdateRoutes {
    let routes: RouteContext
    let jobs: BuildJobs
    /// The build the latest update of each collection started: an older one that finishes
    /// later is not promoted over it.
    let latest = LatestUpdateBuilds()

    /// What Qdrant's update may carry that this server does not change with it, and why.
    static let refused: [String: String] = [
        "hnsw_config": "start a build with new parameters instead: POST /collections/{name}/builds {\"m\", \"ef_construct\", \"ef\"}",
        "optimizers_config": "points are indexed as they are written, and rebuilds are lifecycle builds (POST /collections/{name}/builds)",
        "sparse_vectors": "a collection's sparse vectors are fixed when it is created",
        "params": "the collection's parameters (shards, replication, payload placement) are fixed on one node",
        "strict_mode_config": "strict mode is not supported; limits are server settings (--config)",
        "metadata": "collection metadata is not supported",
    ]

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .patch, "/collections/{name}") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            try body.refuseUnknown(allowed: Set(Self.refused.keys).union(["quantization_config", "vectors"]))
            for (key, instead) in Self.refused.sorted(by: { $0.key < $1.key }) where body[key].map({ !$0.isNull }) == true {
                throw APIError.badRequest("`\(key)` cannot be updated: \(instead)")
            }
            // Everything is read and checked before anything changes.
            let schema = try serving.schema()
            let placements = try VectorsUpdate.placements(body, schema: schema)
            let requested = try Self.quantization(body)
            if !placements.isEmpty {
                try routes.engine.setVectorsOnDisk(collection: serving.name, placements, actor: routes.actor(nil))
            }
            if let requested {
                try start(requested, collection: serving.name, current: schema.quantization)
            }
            return true
        }
    }

    /// The body's `quantization_config`: nil when absent or null (no change), `.none` for
    /// Qdrant's `"Disabled"`, else the settings as a create would read them.
    static func quantization(_ body: JSONFields) throws -> BuildQuantization? {
        guard let value = body["quantization_config"], !value.isNull else { return nil }
        if case .string(let word) = value {
            guard word == "Disabled" else {
                throw APIError.badRequest("`quantization_config` as a string must be \"Disabled\", got \"\(word)\"")
            }
            return BuildQuantization.none
        }
        return BuildQuantization(try CollectionCreateOptions.quantization(try body.object("quantization_config")))
    }

    private func start(_ requested: BuildQuantization, collection name: String, current: QuantizationSettings?) throws {
        let engine = routes.engine
        // Nothing to build when it serves so already and no other update is on its way.
        let pending = try latest.number(for: name).flatMap { try engine.lifecycle.builds.build(name, $0) }.map { $0.status == .building } ?? false
        if requested.settings == current, !pending { return }
        var runner = BuildRunner(context: engine.lifecycle)
        runner.live = engine.openCollection(named: name)
        let record = try runner.begin(collection: name, parameters: try runner.servingParameters(collection: name), quantization: requested)
        latest.set(record.number, for: name)
        let actor = routes.actor(nil), logger = routes.logger, latest = self.latest
        let reason = "PATCH quantization_config: " + (requested.settings.map(Self.describe) ?? "disabled")
        logger.notice("collection update started a build", metadata: ["collection": "\(name)", "build": "\(record.number)", "reason": "\(reason)"])
        defer {
            // After the job started, so a failed append cannot leave a begun build without one.
            do {
                _ = try engine.lifecycle.audit.append(AuditEntry(collection: name, actor: actor, action: .collectionUpdate,
                                                                 fromBuild: runner.live?.servingBuild, toBuild: record.number, reason: reason))
            } catch {
                logger.error("could not record the collection update", metadata: ["collection": "\(name)", "error": "\(error)"])
            }
        }
        jobs.start(record, runner: runner) { finished in
            guard latest.finish(finished.number, for: name) else {
                logger.notice("a later update superseded this build", metadata: ["collection": "\(name)", "build": "\(finished.number)"])
                return
            }
            guard finished.status == .ready else {
                logger.error("collection update build failed", metadata: ["collection": "\(name)", "build": "\(finished.id)", "failure": "\(finished.failure ?? "")"])
                return
            }
            do {
                // Through every gate: a refusal is recorded in the audit trail like any other.
                let outcome = try engine.promote(collection: name, build: finished.number, actor: actor, reason: reason)
                logger.notice("collection update promotion", metadata: ["collection": "\(name)", "build": "\(finished.number)", "promoted": "\(outcome.promoted)"])
            } catch {
                logger.error("collection update promotion failed", metadata: ["collection": "\(name)", "build": "\(finished.number)", "error": "\(error)"])
            }
        }
    }

    static func describe(_ settings: QuantizationSettings) -> String {
        switch settings.kind {
        case .scalar: "scalar int8, quantile \(settings.quantile)"
        case .binary: "binary one_bit, query_encoding \(settings.queryEncoding.rawValue)"
        }
    }
}

/// The latest update build per collection (see `CollectionUpdateRoutes.latest`).
final class LatestUpdateBuilds: Sendable {
    private let builds = Mutex<[String: Int]>([:])

    /// Keeps the highest number: of two updates racing, the later build is the latest.
    func set(_ number: Int, for collection: String) { builds.withLock { $0[collection] = max($0[collection] ?? 0, number) } }
    func number(for collection: String) -> Int? { builds.withLock { $0[collection] } }

    /// Whether `number` is still the latest update of `collection`; it is then no longer pending.
    func finish(_ number: Int, for collection: String) -> Bool {
        builds.withLock { builds in
            guard builds[collection] == number else { return false }
            builds[collection] = nil
            return true
        }
    }
}
