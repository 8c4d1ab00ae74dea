import Foundation
import Lifecycle
import Metrics
import Prometheus
import Synchronization

/// The server's Prometheus registry and the metric objects it records into, created once per
/// label set and cached (never per request). Request counts and latency histograms per route
/// and status come from Hummingbird's MetricsMiddleware through the same registry.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let searchTimers = Mutex<[String: Metrics.Timer]>([:])
    private let embeddingTimers = Mutex<[String: Metrics.Timer]>([:])
    private let batchSizes = Mutex<[String: Recorder]>([:])

    /// Bootstraps swift-metrics with a Prometheus factory; call once per process.
    public static func bootstrap(telemetry: TelemetryRecorder? = nil) -> ServerMetrics {
        let registry = PrometheusCollectorRegistry()
        let factory = ConventionalMetricsFactory(registry: registry, durationBuckets: [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5),
        ], valueBuckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        MetricsSystem.bootstrap(factory)
        return ServerMetrics(registry: registry, telemetry: telemetry)
    }

    /// The in-memory history behind `GET /telemetry/series`; nil when not kept.
    public let telemetry: TelemetryRecorder?

    public init(registry: PrometheusCollectorRegistry, telemetry: TelemetryRecorder? = nil) {
        self.registry = registry
        self.telemetry = telemetry
    }

    func recordSearch(collection: String, plan: SearchPlan, duration: Duration) {
        let key = "\(collection)|\(plan.rawValue)"
        let timer = searchTimers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(label: "lodestone_search_duration_seconds", dimensions: [("collection", collection), ("plan", plan.rawValue)])
            timers[key] = timer
            return timer
        }
        timer.record(duration: duration)
        telemetry?.recordSearch(collection: collection, duration: duration)
    }

    public func recordEmbeddingBatch(model: String, size: Int, duration: Duration) {
        let (timer, recorder) = embeddingTimers.withLock { timers in
            let timer = timers[model] ?? Metrics.Timer(label: "lodestone_embedding_batch_duration_seconds", dimensions: [("model", model)])
            timers[model] = timer
            return (timer, batchSizes.withLock { recorders in
                let recorder = recorders[model] ?? Recorder(label: "lodestone_embedding_batch_size", dimensions: [("model", model)], aggregate: true)
                recorders[model] = recorder
                return recorder
            })
        }
        timer.record(duration: duration)
        recorder.record(size)
        telemetry?.recordEmbeddingBatch(model: model, size: size)
    }

    /// A per-collection gauge, with its help text from the catalog.
    private func gauge(_ metric: String, _ collection: String) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: metric, unitName: "", helpText: MetricCatalog.helpText(metric)),
                           labels: [("collection", collection)])
    }

    /// The Prometheus text exposition, with point gauges refreshed from the open collections.
    func exposition(engine: Engine) -> String {
        // Only open collections: a scrape must never trigger opening (and rebuilding) an index.
        for serving in engine.openCollections {
            let name = serving.name
            gauge("lodestone_points", name).set(Double(serving.liveCount))
            gauge("lodestone_deleted_points", name).set(Double(serving.deletedCount))
            gauge("lodestone_changes_since_index_stored", name).set(Double(serving.changesSincePersist))
            gauge("lodestone_serving_build", name).set(Double(serving.servingBuild))
            gauge("lodestone_change_log_entries", name).set(Double(serving.changeLogEntries))
            gauge("lodestone_index_backlog", name).set(Double(serving.indexBacklog))
            let grouping = serving.writeGrouping
            gauge("lodestone_combined_write_transactions", name).set(Double(grouping.transactions))
            gauge("lodestone_combined_write_requests", name).set(Double(grouping.requests))
            gauge("lodestone_query_log_entries", name).set(Double(serving.queryLog.count))
            let drift = serving.driftReport()
            gauge("lodestone_drift_centroid_shift", name).set(drift.centroidShift)
            gauge("lodestone_drift_top1_ks", name).set(drift.top1KS)
            gauge("lodestone_drift_recent_mean_top1", name).set(drift.recentMeanTop1)
            gauge("lodestone_drift_low_score_fraction", name).set(drift.recentLowScoreFraction)
            gauge("lodestone_drift_alert", name).set(drift.alert ? 1.0 : 0.0)
        }
        // A collection that could not open is skipped while the others serve; this says so.
        let loading = engine.loadingState
        for name in loading.failed.keys { gauge("lodestone_collection_open_failed", name).set(1.0) }
        for serving in engine.openCollections where loading.failed[serving.name] == nil {
            gauge("lodestone_collection_open_failed", serving.name).set(0.0)
        }
        return registry.emitToString()
    }
}
