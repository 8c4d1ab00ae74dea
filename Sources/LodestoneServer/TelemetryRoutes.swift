import Foundation
import Hummingbird
import Lifecycle
import Storage

/// `GET /telemetry/series`: the server's recent history (search rate and latency, write rate,
/// embedding batches, drift signals with their thresholds, recall per build) for the console's
/// charts, without Prometheus.
struct TelemetryRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        let telemetry = routes.metrics?.telemetry
        routes.on(router, .get, "/telemetry/series") { request, _ in
            guard let telemetry else {
                throw APIError(status: .notFound, message: "Not found: telemetry is not kept by this process")
            }
            let parameters = request.uri.queryParameters
            for (key, _) in parameters where !["since", "collection"].contains(String(key)) {
                throw APIError.badRequest("unknown query parameter `\(key)`: /telemetry/series takes `since` (seconds since 1970) and `collection`")
            }
            var since: Double?
            if let text = parameters.get("since") {
                guard let value = Double(text), value.isFinite else { throw APIError.badRequest("`since` must be seconds since 1970, got `\(text)`") }
                since = value
            }
            let collection = parameters.get("collection")
            if let collection, engine.openCollection(named: collection) == nil {
                throw StorageError.collectionNotFound(collection)
            }
            var result = telemetry.json(since: since, collection: collection)
            // Recall per build is not sampled: each build has one measurement, from its gate check.
            var recall: [String: JSONValue] = [:]
            for serving in engine.openCollections where collection == nil || serving.name == collection {
                recall[serving.name] = .array(try engine.lifecycle.builds.builds(of: serving.name).compactMap { build in
                    guard let report = build.recall else { return nil }
                    return .object([
                        "build": .int(Int64(build.number)),
                        "status": .string(build.status.rawValue),
                        "finished_at": build.finishedAt.map { .double($0.timeIntervalSince1970) } ?? .null,
                        "recall": .double(report.recall),
                        "production_recall": build.production.map { .double($0.recall) } ?? .null,
                        "serving": .bool(build.number == serving.servingBuild),
                    ])
                })
            }
            result["build_recall"] = .object(recall)
            return .object(result)
        }
    }
}
