import Foundation
import Hummingbird
import Lifecycle
import Storage

/// Shadow traffic, canary routing, the query log and drift signals over HTTP.
struct RolloutRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        routes.on(router, .get, "/collections/{name}/shadow") { _, context in
            let serving = try routes.collection(context)
            serving.monitoring.drainShadowQueue()
            return serving.monitoring.shadowReport.map(JSONValue.object) ?? ["active": false]
        }
        routes.on(router, .put, "/collections/{name}/shadow") { request, context in
            let name = try routes.collection(context).name
            let body = try await routes.fields(request)
            guard let build = try body.int("build", range: 1 ... Int(Int32.max)) else { throw APIError.badRequest("`build` is required") }
            let fraction = try body.double("fraction") ?? 0.1
            let actor = routes.actor(try body.string("actor"))
            return try JSONValue(encoding: try await offloaded { try engine.setShadow(collection: name, build: build, fraction: fraction, actor: actor) })
        }
        routes.on(router, .delete, "/collections/{name}/shadow") { _, context in
            let name = try routes.collection(context).name
            return try JSONValue(encoding: try engine.setShadow(collection: name, build: nil, actor: routes.actor(nil)))
        }
        routes.on(router, .get, "/collections/{name}/canary") { _, context in
            let serving = try routes.collection(context)
            var report = serving.monitoring.canaryReport ?? ["active": false]
            report["settings"] = try JSONValue(encoding: try engine.lifecycle.serving.record(serving.name).canary)
            return .object(report)
        }
        routes.on(router, .put, "/collections/{name}/canary") { request, context in
            let name = try routes.collection(context).name
            let body = try await routes.fields(request)
            guard let build = try body.int("build", range: 1 ... Int(Int32.max)) else { throw APIError.badRequest("`build` is required") }
            var settings = CanarySettings(build: build, fraction: try body.double("fraction") ?? 0.05)
            if let value = try body.double("max_error_rate") { settings.maxErrorRate = value }
            if let value = try body.double("max_p99_ms") { settings.maxP99Milliseconds = value }
            if let value = try body.double("max_p99_ratio") { settings.maxP99Ratio = value }
            if let value = try body.int("min_queries", range: 1 ... 10_000_000) { settings.minQueries = value }
            let actor = routes.actor(try body.string("actor"))
            let canary = settings
            return try JSONValue(encoding: try await offloaded { try engine.setCanary(collection: name, canary: canary, actor: actor) })
        }
        routes.on(router, .delete, "/collections/{name}/canary") { _, context in
            let name = try routes.collection(context).name
            return try JSONValue(encoding: try engine.setCanary(collection: name, canary: nil, actor: routes.actor(nil)))
        }
        routes.on(router, .get, "/collections/{name}/drift") { _, context in
            let serving = try routes.collection(context)
            return try JSONValue(encoding: serving.driftReport())
        }
        routes.on(router, .post, "/collections/{name}/drift/reference") { _, context in
            try routes.collection(context).queryLog.resetReference()
            return true
        }
        routes.on(router, .get, "/collections/{name}/monitoring") { _, context in
            try JSONValue(encoding: try routes.collection(context).queryLog.settings)
        }
        routes.on(router, .put, "/collections/{name}/monitoring") { request, context in
            let serving = try routes.collection(context)
            let body = try await routes.fields(request)
            var settings = serving.queryLog.settings
            if let value = try body.int("log_capacity") { settings.logCapacity = value }
            if let value = try body.double("sample_rate") { settings.sampleRate = value }
            if let value = body["log_text"] {
                guard case let .bool(flag) = value else { throw APIError.badRequest("`log_text` must be true or false") }
                settings.logText = flag
            }
            if let value = try body.int("drift_window") { settings.driftWindow = value }
            if let value = try body.double("low_score_threshold") { settings.lowScoreThreshold = value }
            if let value = try body.double("centroid_shift_alert") { settings.centroidShiftAlert = value }
            if let value = try body.double("score_shift_significance") { settings.scoreShiftSignificance = value }
            if let value = try body.double("low_score_rise_alert") { settings.lowScoreRiseAlert = value }
            try engine.setMonitoring(collection: serving.name, settings: settings)
            return try JSONValue(encoding: settings)
        }
        routes.on(router, .get, "/collections/{name}/query-log") { request, context in
            let serving = try routes.collection(context)
            let limit = Int(request.uri.queryParameters.get("limit") ?? "100") ?? 100
            let entries = serving.queryLog.entries.suffix(max(0, min(limit, 10_000)))
            let dates = ISO8601DateFormatter()
            return ["count": .int(Int64(serving.queryLog.count)), "entries": .array(entries.map { entry in
                .object(["at": .string(dates.string(from: entry.at)), "build": .int(Int64(entry.build)),
                         "text": entry.text.map(JSONValue.string) ?? .null, "scores": .array(entry.scores.map(WireFormat.number)),
                         "vector": .array(entry.vector.map(WireFormat.number))])
            })]
        }
    }
}
