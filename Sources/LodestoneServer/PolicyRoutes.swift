import Foundation
import Hummingbird
import Lifecycle
import Storage

/// `GET|PUT /collections/{name}/policy`: what monitoring may do on its own for a collection.
struct PolicyRoutes {
    let routes: RouteContext
    let monitor: PolicyMonitor?

    func register(on router: Router<BasicRequestContext>) {
        let engine = routes.engine
        routes.on(router, .get, "/collections/{name}/policy") { _, context in
            let name = try routes.collection(context).name
            let stored = try engine.lifecycle.policies.policy(name)
            var result = try JSONValue(encoding: stored ?? CollectionPolicy()).objectValue ?? [:]
            result["stored"] = .bool(stored != nil)
            result["running"] = .bool(monitor != nil)
            if let state = monitor?.state(of: name) {
                result["drift_alerted"] = .bool(state.driftAlerted)
                if let recall = state.recall { result["logged_recall"] = try JSONValue(encoding: recall) }
                if let at = state.checkedAt { result["logged_recall_at"] = .string(ISO8601DateFormatter().string(from: at)) }
            }
            return .object(result)
        }
        routes.on(router, .put, "/collections/{name}/policy") { request, context in
            let name = try routes.collection(context).name
            let body = try await routes.fields(request)
            try body.refuseUnknown(allowed: Set(CollectionPolicy.settingNames + ["actor"]))
            var policy = try engine.lifecycle.policies.policy(name) ?? CollectionPolicy()
            policy.recheckOnDrift = try body.bool("recheck_on_drift", default: policy.recheckOnDrift)
            policy.autoPromote = try body.bool("auto_promote", default: policy.autoPromote)
            // null turns a rebuild trigger off.
            if let value = body["logged_recall_floor"] { policy.loggedRecallFloor = value.isNull ? nil : try body.double("logged_recall_floor") }
            if let value = body["max_deleted_fraction"] { policy.maxDeletedFraction = value.isNull ? nil : try body.double("max_deleted_fraction") }
            if let value = try body.double("check_interval_seconds") { policy.checkIntervalSeconds = value }
            if let value = try body.double("rebuild_cooldown_seconds") { policy.rebuildCooldownSeconds = value }
            try engine.lifecycle.policies.change(policy, for: name, actor: routes.actor(try body.string("actor")), audit: engine.lifecycle.audit)
            return try JSONValue(encoding: policy)
        }
    }
}
