/// Every series `/metrics` exposes, by its exposed name, with its help text. Names follow
/// Prometheus conventions: a unit suffix in base units, counters end in `_total`, and each
/// series has HELP (`promtool check metrics` on a scrape finds nothing; the test checks it).
enum MetricCatalog {
    /// Names that swift-metrics labels from Hummingbird's middleware become here.
    static let renamed: [String: String] = [
        "hb.requests": "hb_requests_total",
        "hb.request.errors": "hb_request_errors_total",
        "http.server.request.duration": "http_server_request_duration_seconds",
        "http.server.active_requests": "http_server_active_requests",
    ]

    static let help: [String: String] = [
        "hb_requests_total": "HTTP requests answered, by route, method and status code.",
        "hb_request_errors_total": "HTTP requests that ended in an error response, by route, method and error type.",
        "http_server_request_duration_seconds": "Time to answer an HTTP request, in seconds, by route, method and status code.",
        "http_server_active_requests": "HTTP requests in flight, by method.",
        "lodestone_search_duration_seconds": "Time to answer a search in the engine, in seconds, by collection and plan (graph, exact, filtered).",
        "lodestone_embedding_batch_duration_seconds": "Time to embed one batch of texts, in seconds, by model.",
        "lodestone_embedding_batch_size": "Texts per embedding batch, by model.",
        "lodestone_points": "Points that searches can return, per collection.",
        "lodestone_collection_open_failed": "1 when a stored collection could not be opened and is not served (the others serve; the log and /readyz say why), else 0.",
        "lodestone_deleted_points": "Deleted points still in the serving graph as tombstones, per collection (a rebuild reclaims them).",
        "lodestone_changes_since_index_stored": "Changes applied to the serving index since its image was last stored, per collection (the replay after a crash).",
        "lodestone_serving_build": "Number of the build that serves, per collection (0: the collection's original index).",
        "lodestone_change_log_entries": "Entries held in the change log, per collection.",
        "lodestone_index_backlog": "Logged changes not yet applied to the serving index, per collection.",
        "lodestone_combined_write_transactions": "Write transactions committed by the group-commit combiner since start, per collection.",
        "lodestone_combined_write_requests": "Write requests those transactions held, per collection (requests over transactions is the grouping).",
        "lodestone_query_log_entries": "Queries held in the sampled query log, per collection.",
        "lodestone_drift_centroid_shift": "Cosine distance between the mean of recent query vectors and of the reference window, per collection.",
        "lodestone_drift_top1_ks": "Kolmogorov-Smirnov statistic between recent and reference top-1 score distributions, per collection.",
        "lodestone_drift_recent_mean_top1": "Mean top-1 score of recent queries, per collection.",
        "lodestone_drift_low_score_fraction": "Share of recent queries whose top-1 score is below the low-score threshold, per collection.",
        "lodestone_drift_alert": "1 while a drift signal is past its threshold, else 0, per collection.",
    ]

    /// The exposed name of a swift-metrics label: the table's rename, else the label with
    /// `_total` added to counters that lack it.
    static func exposedName(_ label: String, counter: Bool = false) -> String {
        var name = renamed[label] ?? label
        if counter, !name.hasSuffix("_total") { name += "_total" }
        return name
    }

    /// A metric's help text; a series missing from the table still gets one, but the test on
    /// `promtool` output is what keeps the table complete.
    static func helpText(_ name: String) -> String {
        help[name] ?? "Lodestone series \(name)."
    }
}
