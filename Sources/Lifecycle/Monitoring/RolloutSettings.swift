import Foundation

/// A shadow build answering a fraction of live queries off the request path.
public struct ShadowSettings: Codable, Sendable, Equatable {
    public var build: Int
    public var fraction: Double
    public var since: Date

    public init(build: Int, fraction: Double, since: Date = Date()) {
        self.build = build
        self.fraction = fraction
        self.since = since
    }
}

/// A candidate build answering a fraction of live queries, aborted automatically when its
/// error rate or p99 latency passes the bounds.
public struct CanarySettings: Codable, Sendable, Equatable {
    public var build: Int
    public var fraction: Double
    public var maxErrorRate: Double
    /// Abort when the canary's p99 exceeds production's by this factor...
    public var maxP99Ratio: Double
    /// ...or this many milliseconds, whichever is larger.
    public var maxP99Milliseconds: Double
    /// Queries the canary answers before the bounds are checked.
    public var minQueries: Int
    public var since: Date

    public init(build: Int, fraction: Double, maxErrorRate: Double = 0.01, maxP99Ratio: Double = 2, maxP99Milliseconds: Double = 50,
                minQueries: Int = 100, since: Date = Date()) {
        self.build = build
        self.fraction = fraction
        self.maxErrorRate = maxErrorRate
        self.maxP99Ratio = maxP99Ratio
        self.maxP99Milliseconds = maxP99Milliseconds
        self.minQueries = minQueries
        self.since = since
    }

    /// Whether a client with this key is routed to the canary: a stable hash of the key, so a
    /// client stays on one side, and raising the fraction only ever adds clients.
    public func admits(clientKey: String) -> Bool {
        let hash = clientKey.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return Double(hash % 1_000_000) / 1_000_000 < fraction
    }

    enum CodingKeys: String, CodingKey {
        case build, fraction, since
        case maxErrorRate = "max_error_rate"
        case maxP99Ratio = "max_p99_ratio"
        case maxP99Milliseconds = "max_p99_ms"
        case minQueries = "min_queries"
    }
}

/// Latencies kept for percentiles: the most recent `capacity`.
struct LatencyWindow: Sendable {
    var values: [Double] = []
    var next = 0
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    mutating func add(_ milliseconds: Double) {
        if values.count < capacity { values.append(milliseconds) } else {
            values[next] = milliseconds
            next = (next + 1) % capacity
        }
    }

    func percentile(_ p: Double) -> Double { Percentile.of(values.sorted(), p) }

    var summary: [String: Double] {
        let sorted = values.sorted()
        return ["p50_ms": Percentile.of(sorted, 0.5), "p90_ms": Percentile.of(sorted, 0.9), "p99_ms": Percentile.of(sorted, 0.99)]
    }
}
