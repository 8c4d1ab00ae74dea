import Foundation
import Lifecycle
import Storage
import Synchronization

/// The server's recent history for charts that need no Prometheus: every `interval` a sample
/// of search rate and latency, write rate, embedding batches and drift signals (with their
/// alert thresholds) is appended to a bounded in-memory history per scope, served by
/// `GET /telemetry/series`. Recording is a lock and an append; sampling runs on its own thread.
public final class TelemetryRecorder: Sendable {
    public let interval: Duration
    public let capacity: Int

    private struct State {
        var searches: [String: TelemetryWindow] = [:]
        var batches: [String: TelemetryWindow] = [:]
        var appliedSequence: [String: UInt64] = [:]
        var server: TelemetrySeries
        var collections: [String: TelemetrySeries] = [:]
        var models: [String: TelemetrySeries] = [:]
        /// Monotonic: a wall clock stepped back would make intervals (and rates) absurd.
        var lastSample: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    public init(interval: Duration, retention: Duration) {
        self.interval = interval
        capacity = max(1, Int((retention.seconds / interval.seconds).rounded(.down)))
        state = Mutex(State(server: TelemetrySeries(capacity: capacity)))
    }

    func recordSearch(collection: String, duration: Duration) {
        state.withLock { $0.searches[collection, default: TelemetryWindow()].record(duration.seconds * 1_000) }
    }

    func recordEmbeddingBatch(model: String, size: Int) {
        state.withLock { $0.batches[model, default: TelemetryWindow()].record(Double(size)) }
    }

    /// Closes the current interval: one sample per scope at `now` (seconds since 1970).
    public func sample(engine: Engine, now: Double = Date().timeIntervalSince1970) {
        // Read the collections outside the lock: a drift report can take a moment.
        let open = engine.openCollections.map { serving in
            (name: serving.name, applied: serving.lastAppliedSequence, drift: serving.driftReport(), settings: serving.queryLog.settings)
        }
        let instant = ContinuousClock.now
        state.withLock { state in
            let elapsed = state.lastSample.map { max((instant - $0).seconds, 1e-3) } ?? interval.seconds
            state.lastSample = instant
            var serverSearches = TelemetryWindow()
            var serverWrites = 0.0
            for collection in open {
                let searches = state.searches.removeValue(forKey: collection.name) ?? TelemetryWindow()
                serverSearches.merge(searches)
                let previous = state.appliedSequence[collection.name] ?? collection.applied
                state.appliedSequence[collection.name] = collection.applied
                let writes = Double(collection.applied &- min(previous, collection.applied)) / elapsed
                serverWrites += writes
                var sample = Self.searchSample(searches, elapsed: elapsed)
                sample["write_changes_per_second"] = writes
                let drift = collection.drift
                sample["drift_centroid_shift"] = drift.ready ? drift.centroidShift : nil
                sample["drift_centroid_shift_alert"] = collection.settings.centroidShiftAlert
                sample["drift_top1_ks"] = drift.ready ? drift.top1KS : nil
                sample["drift_top1_ks_critical"] = drift.ready ? drift.top1KSCritical : nil
                sample["drift_low_score_fraction"] = drift.ready ? drift.recentLowScoreFraction : nil
                sample["drift_low_score_alert"] = drift.ready ? drift.referenceLowScoreFraction + collection.settings.lowScoreRiseAlert : nil
                sample["drift_alert"] = drift.ready ? (drift.alert ? 1 : 0) : nil
                state.collections[collection.name, default: TelemetrySeries(capacity: capacity)].append(time: now, sample)
            }
            // A collection dropped since the last sample takes its history (and any searches
            // recorded for it since) with it.
            let names = Set(open.map(\.name))
            for name in state.collections.keys where !names.contains(name) {
                state.collections[name] = nil
                state.appliedSequence[name] = nil
            }
            for name in state.searches.keys where !names.contains(name) { state.searches[name] = nil }
            var server = Self.searchSample(serverSearches, elapsed: elapsed)
            server["write_changes_per_second"] = serverWrites
            state.server.append(time: now, server)
            let batches = state.batches
            state.batches = [:]
            for model in Set(batches.keys).union(state.models.keys) {
                let window = batches[model] ?? TelemetryWindow()
                state.models[model, default: TelemetrySeries(capacity: capacity)].append(time: now, [
                    "embedding_batches_per_second": Double(window.count) / elapsed,
                    "embedding_texts_per_second": window.sum / elapsed,
                    "embedding_batch_mean": window.mean,
                    "embedding_batch_p99": window.quantile(0.99),
                ])
            }
        }
    }

    private static func searchSample(_ window: TelemetryWindow, elapsed: Double) -> [String: Double?] {
        ["search_qps": Double(window.count) / elapsed,
         "search_p50_ms": window.quantile(0.5),
         "search_p99_ms": window.quantile(0.99)]
    }

    /// The history as JSON, samples after `since` only; one collection's when `collection` is set.
    func json(since: Double?, collection: String?) -> [String: JSONValue] {
        state.withLock { state in
            let collections = state.collections.filter { collection == nil || $0.key == collection }
            return [
                "interval_seconds": .double(interval.seconds),
                "capacity": .int(Int64(capacity)),
                "server": state.server.json(since: since),
                "collections": .object(collections.mapValues { $0.json(since: since) }),
                "models": .object(state.models.mapValues { $0.json(since: since) }),
            ]
        }
    }

    /// Samples every `interval` on its own thread until `stop()`.
    public func start(engine: Engine) {
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: interval.seconds)
                sample(engine: engine)
            }
        }
        thread.name = "telemetry"
        thread.start()
    }

    private let running = Atomic<Bool>(true)

    public func stop() { running.store(false, ordering: .releasing) }
}

extension TelemetryWindow {
    /// Adds another window's count and sum, and its sample as far as capacity allows.
    mutating func merge(_ other: TelemetryWindow) {
        for value in other.sampleValues { record(value) }
        let extra = other.count - other.sampleValues.count
        if extra > 0 { addUnsampled(count: extra, sum: other.sum - other.sampleValues.reduce(0, +)) }
    }
}
