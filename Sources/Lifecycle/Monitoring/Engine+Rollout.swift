import Foundation
import Storage

extension Engine {
    /// Sends `fraction` of live queries to build `build` as shadow traffic (nil stops it).
    @discardableResult
    public func setShadow(collection: String, build: Int?, fraction: Double = 0.1, actor: String) throws -> AuditEntry {
        if let build { try checkRolloutBuild(collection, build, fraction: fraction) }
        let entry = try lifecycle.serving.update(collection, audit: lifecycle.audit) { record, transaction in
            if let build { _ = try self.lifecycle.builds.servable(collection, build, in: transaction) }
            let previous = record.shadow
            record.shadow = build.map { ShadowSettings(build: $0, fraction: fraction) }
            return AuditEntry(collection: collection, actor: actor, action: build == nil ? .shadowStop : .shadowStart,
                              fromBuild: record.build ?? 0, toBuild: build ?? previous?.build,
                              reason: build.map { _ in String(format: "%.1f%% of queries", 100 * fraction) })
        }
        try openCollection(named: collection)?.follow()
        return entry
    }

    /// Routes `fraction` of queries to build `canary.build` (nil stops it). The canary must be
    /// on the serving model: it answers users directly.
    @discardableResult
    public func setCanary(collection: String, canary: CanarySettings?, actor: String) throws -> AuditEntry {
        if let canary {
            try checkRolloutBuild(collection, canary.build, fraction: canary.fraction)
            let model = try lifecycle.builds.build(collection, canary.build)?.model
            let serving = try store.collection(named: collection).schema().embeddingModel
            guard model == serving else {
                throw LifecycleError.invalidRequest("build \(canary.build) is on \(model ?? "stored vectors"), production on \(serving ?? "stored vectors"); a canary answers users, so it must be on the serving model (use shadow traffic to compare models)")
            }
        }
        let entry = try lifecycle.serving.update(collection, audit: lifecycle.audit) { record, transaction in
            if let canary { _ = try self.lifecycle.builds.servable(collection, canary.build, in: transaction) }
            let previous = record.canary
            record.canary = canary
            return AuditEntry(collection: collection, actor: actor, action: canary == nil ? .canaryStop : .canaryStart,
                              fromBuild: record.build ?? 0, toBuild: canary?.build ?? previous?.build,
                              reason: canary.map { String(format: "%.1f%% of queries; abort above %.1f%% errors or p99 %.0f ms / %.1fx production",
                                                          100 * $0.fraction, 100 * $0.maxErrorRate, $0.maxP99Milliseconds, $0.maxP99Ratio) })
        }
        try openCollection(named: collection)?.follow()
        return entry
    }

    public func setMonitoring(collection: String, settings: MonitoringSettings) throws {
        try settings.validate()
        try lifecycle.serving.update(collection) { $0.monitoring = settings }
        try openCollection(named: collection)?.follow()
    }

    private func checkRolloutBuild(_ collection: String, _ number: Int, fraction: Double) throws {
        guard fraction > 0, fraction <= 1 else { throw LifecycleError.invalidRequest("fraction must lie in (0, 1], got \(fraction)") }
        _ = try lifecycle.builds.servable(collection, number)
        guard number != (try lifecycle.serving.record(collection).build ?? 0) else {
            throw LifecycleError.invalidRequest("build \(number) already serves `\(collection)`")
        }
    }
}
