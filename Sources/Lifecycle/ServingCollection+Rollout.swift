import Foundation
import Storage
import Synchronization
import VectorIndex

extension ServingCollection {
    /// Applies the serving record's query-log, shadow and canary settings. A shadow or canary
    /// build is loaded and caught up outside the write gate, then finished (with the catch-up
    /// rule read again) and installed under it, so every later write reaches it too.
    func configureRollout(_ record: ServingRecord) throws {
        queryLog.update(record.monitoring ?? MonitoringSettings())
        servePipeline(record.pipeline ?? .dense)
        guard let context else { return }
        let shadow = monitoring.needsShadow(record.shadow) ? try record.shadow.map { try prepare($0.build, context) } : nil
        let canary = monitoring.needsCanary(record.canary) ? try record.canary.map { try prepare($0.build, context) } : nil
        try writeGate.withLock { _ in
            if monitoring.needsShadow(record.shadow) {
                if let shadow { _ = try context.catchUp(for: store, model: shadow.model).catchUp(shadow.index, from: shadow.applied) }
                monitoring.installShadow(record.shadow, index: shadow?.index, model: shadow?.model, ef: shadow?.ef ?? 64)
            }
            if monitoring.needsCanary(record.canary) {
                if let canary { _ = try context.catchUp(for: store, model: canary.model).catchUp(canary.index, from: canary.applied) }
                monitoring.installCanary(record.canary, index: canary?.index, model: canary?.model)
            }
        }
    }

    private func prepare(_ number: Int, _ context: LifecycleContext) throws
        -> (index: HNSWIndex, model: String?, ef: Int, applied: UInt64) {
        let build = try context.builds.servable(name, number)
        let (index, sequence) = try context.loadIndex(collection: name, build: number, dimension: dimension)
        return (index, build.model, build.ef, try context.catchUp(for: store, model: build.model).catchUp(index, from: sequence))
    }
}

extension LifecycleContext {
    /// Ends a canary that crossed its bounds and records why.
    func abortCanary(collection: String, settings: CanarySettings, reason: String) throws {
        _ = try serving.update(collection, audit: audit) { record, _ in
            if record.canary == settings { record.canary = nil }
            return AuditEntry(collection: collection, actor: "canary monitor", action: .canaryAbort, fromBuild: record.build ?? 0,
                              toBuild: settings.build, reason: reason)
        }
    }
}
