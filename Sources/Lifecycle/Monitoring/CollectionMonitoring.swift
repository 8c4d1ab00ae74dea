import Dispatch
import Embeddings
import Foundation
import Storage
import Synchronization
import VectorIndex

/// Shadow traffic and canary routing for one serving collection. Both read their settings
/// from the serving record; the indexes they need are loaded when the settings change.
public final class CollectionMonitoring: Sendable {
    /// The build a query was routed to.
    struct Arm: @unchecked Sendable {
        let index: HNSWIndex
        let build: Int
    }

    struct Shadow {
        var settings: ShadowSettings
        var index: HNSWIndex
        var model: String?
        var ef: Int
        var overlaps: [Double] = []
        var compared = 0
        var production = LatencyWindow()
        var shadow = LatencyWindow()
        var skipped = 0
    }

    struct Canary {
        var settings: CanarySettings
        var index: HNSWIndex
        var model: String?
        var queries = 0
        var errors = 0
        var latency = LatencyWindow(capacity: 2048)
        var aborted = false
    }

    private let shadowState = Mutex<Shadow?>(nil)
    private let canaryState = Mutex<Canary?>(nil)
    private let productionLatency = Mutex(LatencyWindow(capacity: 2048))
    private let pendingShadows = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "lodestone.shadow", qos: .utility)
    /// Called once when the canary crosses a bound, with the reason.
    let onCanaryAbort: @Sendable (CanarySettings, String) -> Void

    init(onCanaryAbort: @escaping @Sendable (CanarySettings, String) -> Void) {
        self.onCanaryAbort = onCanaryAbort
    }

    static let maximumPendingShadows = 64
    static let boundCheckInterval = 16
    static let overlapSamples = 10_000

    // MARK: settings

    /// Whether the shadow or canary settings differ from what is installed.
    func needsShadow(_ settings: ShadowSettings?) -> Bool { shadowState.withLock { $0?.settings != settings } }
    func needsCanary(_ settings: CanarySettings?) -> Bool { canaryState.withLock { $0?.settings != settings } }

    /// Installs (or with nil removes) the shadow build. Callers hold the write gate.
    func installShadow(_ settings: ShadowSettings?, index: HNSWIndex?, model: String?, ef: Int) {
        shadowState.withLock { state in
            state = settings.flatMap { settings in index.map { Shadow(settings: settings, index: $0, model: model, ef: ef) } }
        }
    }

    /// Installs (or with nil removes) the canary build. Callers hold the write gate.
    func installCanary(_ settings: CanarySettings?, index: HNSWIndex?, model: String?) {
        canaryState.withLock { state in
            state = settings.flatMap { settings in index.map { Canary(settings: settings, index: $0, model: model) } }
        }
    }

    /// Uninstalls the shadow or canary holding `index`.
    func drop(_ index: HNSWIndex) {
        shadowState.withLock { if $0?.index === index { $0 = nil } }
        canaryState.withLock { if $0?.index === index { $0 = nil } }
    }

    /// Indexes besides the serving one that every write must reach.
    func followingIndexes() -> [(index: HNSWIndex, model: String?)] {
        let shadow = shadowState.withLock { $0.map { [($0.index, $0.model)] } ?? [] }
        let canary = canaryState.withLock { $0.map { [($0.index, $0.model)] } ?? [] }
        return shadow + canary
    }

    // MARK: canary

    /// The canary arm for this query, or nil for production. Sticky per client key: the same
    /// key always lands on the same side for a given fraction.
    func route(_ request: SearchRequest) -> Arm? {
        canaryState.withLock { canary in
            guard let canary, !canary.aborted, canary.settings.fraction > 0 else { return nil }
            let admitted = if let key = request.clientKey {
                canary.settings.admits(clientKey: key)
            } else {
                Double.random(in: 0 ..< 1) < canary.settings.fraction
            }
            return admitted ? Arm(index: canary.index, build: canary.settings.build) : nil
        }
    }

    func recordProduction(latency: Duration) {
        productionLatency.withLock { $0.add(latency.milliseconds) }
    }

    func recordCanary(_ arm: Arm, latency: Duration, failed: Bool) {
        // Percentiles sort their windows, so the bounds are checked every few queries, not each.
        let due: Bool = canaryState.withLock { canary in
            guard canary != nil, canary!.settings.build == arm.build, !canary!.aborted else { return false }
            canary!.queries += 1
            if failed { canary!.errors += 1 }
            canary!.latency.add(latency.milliseconds)
            return canary!.queries >= canary!.settings.minQueries && (failed || canary!.queries % Self.boundCheckInterval == 0)
        }
        guard due else { return }
        let productionP99 = productionLatency.withLock { $0.percentile(0.99) }
        let abort: (CanarySettings, String)? = canaryState.withLock { canary in
            guard var state = canary, state.settings.build == arm.build, !state.aborted else { return nil }
            defer { canary = state }
            let errorRate = Double(state.errors) / Double(state.queries)
            let p99 = state.latency.percentile(0.99)
            let bound = max(state.settings.maxP99Milliseconds, productionP99 * state.settings.maxP99Ratio)
            var reason: String?
            if errorRate > state.settings.maxErrorRate {
                reason = String(format: "error rate %.2f%% over %d queries passed %.2f%%", 100 * errorRate, state.queries, 100 * state.settings.maxErrorRate)
            } else if p99 > bound {
                reason = String(format: "p99 latency %.2f ms passed %.2f ms (production p99 %.2f ms)", p99, bound, productionP99)
            }
            guard let reason else { return nil }
            state.aborted = true
            return (state.settings, reason)
        }
        if let abort { onCanaryAbort(abort.0, abort.1) }
    }

    public var canaryReport: [String: JSONValue]? {
        let production = productionLatency.withLock { $0.summary }
        return canaryState.withLock { canary in
            guard let canary else { return nil }
            return [
                "build": .int(Int64(canary.settings.build)), "fraction": .double(canary.settings.fraction),
                "queries": .int(Int64(canary.queries)), "errors": .int(Int64(canary.errors)), "aborted": .bool(canary.aborted),
                "since": .string(ISO8601DateFormatter().string(from: canary.settings.since)),
                "latency": .object(canary.latency.summary.mapValues(JSONValue.double)),
                "production_latency": .object(production.mapValues(JSONValue.double)),
            ]
        }
    }

    // MARK: shadow

    /// Sends a sampled query to the shadow build on a background queue; never blocks or fails
    /// the caller (queries are dropped when the shadow falls behind).
    func shadow(_ request: SearchRequest, k: Int, production neighbors: [Neighbor], latency: Duration, collection: ServingCollection) {
        guard let (settings, model) = shadowState.withLock({ $0.map { ($0.settings, $0.model) } }),
              Double.random(in: 0 ..< 1) < settings.fraction else { return }
        let production = neighbors.map(\.id)
        guard pendingShadows.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maximumPendingShadows else {
            pendingShadows.wrappingAdd(-1, ordering: .relaxed)
            shadowState.withLock { $0?.skipped += 1 }
            return
        }
        let productionMilliseconds = latency.milliseconds
        queue.async { [self] in
            defer { pendingShadows.wrappingAdd(-1, ordering: .relaxed) }
            do {
                var shadowRequest = request
                if model != collection.servingModel {
                    // Another model's index needs the query embedded by that model.
                    guard let text = request.text, let model, let context = collection.context else {
                        shadowState.withLock { $0?.skipped += 1 }
                        return
                    }
                    shadowRequest.vector = try context.models.embedder(for: model).embed(text)
                }
                guard let (index, ef) = shadowState.withLock({ $0.map { ($0.index, $0.ef) } }) else { return }
                if shadowRequest.ef == nil { shadowRequest.ef = ef }
                let start = ContinuousClock.now
                let (neighbors, _) = try collection.nearest(shadowRequest, k: k, index: index)
                let shadowMilliseconds = (ContinuousClock.now - start).milliseconds
                let overlap = production.isEmpty ? 1 : Double(Set(neighbors.map(\.id)).intersection(production).count) / Double(production.count)
                shadowState.withLock { state in
                    guard state?.settings == settings else { return }
                    if state!.overlaps.count >= Self.overlapSamples { state!.overlaps.removeFirst(state!.overlaps.count / 2) }
                    state!.overlaps.append(overlap)
                    state!.compared += 1
                    state!.production.add(productionMilliseconds)
                    state!.shadow.add(shadowMilliseconds)
                }
            } catch {
                shadowState.withLock { $0?.skipped += 1 }
            }
        }
    }

    /// Waits until every queued shadow query ran (for tests and reports).
    public func drainShadowQueue() { queue.sync {} }

    public var shadowReport: [String: JSONValue]? {
        shadowState.withLock { shadow in
            guard let shadow else { return nil }
            let sorted = shadow.overlaps.sorted()
            let mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
            let p10 = Percentile.of(sorted, 0.10)
            return [
                "build": .int(Int64(shadow.settings.build)), "fraction": .double(shadow.settings.fraction),
                "since": .string(ISO8601DateFormatter().string(from: shadow.settings.since)),
                "count": .int(Int64(shadow.compared)), "overlap_samples": .int(Int64(sorted.count)), "skipped": .int(Int64(shadow.skipped)),
                "mean_overlap": .double(mean), "p10_overlap": .double(p10),
                "production_latency": .object(shadow.production.summary.mapValues(JSONValue.double)),
                "shadow_latency": .object(shadow.shadow.summary.mapValues(JSONValue.double)),
            ]
        }
    }
}
