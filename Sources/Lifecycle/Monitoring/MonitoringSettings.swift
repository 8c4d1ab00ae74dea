import Foundation

/// How a collection's queries are logged and watched for drift.
public struct MonitoringSettings: Codable, Sendable, Equatable {
    /// Queries kept in the log (oldest dropped first).
    public var logCapacity: Int
    /// Fraction of queries logged.
    public var sampleRate: Double
    /// Whether the text of text queries is kept.
    public var logText: Bool
    /// Queries in the reference window and in the sliding window.
    public var driftWindow: Int
    /// A top-1 score below this counts as a poor match.
    public var lowScoreThreshold: Double
    /// Alert when the centroid moved more than this many times its sampling noise.
    public var centroidShiftAlert: Double
    /// Alert when the top-1 score distributions differ at this significance (two-sample KS).
    public var scoreShiftSignificance: Double
    /// Alert when the share of poor matches rose by more than this.
    public var lowScoreRiseAlert: Double

    public init(logCapacity: Int = 10_000, sampleRate: Double = 1, logText: Bool = true, driftWindow: Int = 500,
                lowScoreThreshold: Double = 0.3, centroidShiftAlert: Double = 3, scoreShiftSignificance: Double = 0.001,
                lowScoreRiseAlert: Double = 0.2) {
        self.logCapacity = logCapacity
        self.sampleRate = sampleRate
        self.logText = logText
        self.driftWindow = driftWindow
        self.lowScoreThreshold = lowScoreThreshold
        self.centroidShiftAlert = centroidShiftAlert
        self.scoreShiftSignificance = scoreShiftSignificance
        self.lowScoreRiseAlert = lowScoreRiseAlert
    }

    public func validate() throws {
        guard (0 ... 10_000_000).contains(logCapacity), (0 ... 1).contains(sampleRate) else {
            throw LifecycleError.invalidRequest("log_capacity must lie in 0...10000000 and sample_rate in 0...1")
        }
        guard (10 ... 1_000_000).contains(driftWindow), driftWindow <= max(logCapacity, 10) else {
            throw LifecycleError.invalidRequest("drift_window must lie in 10...1000000 and not exceed log_capacity")
        }
        guard centroidShiftAlert > 0, scoreShiftSignificance > 0, scoreShiftSignificance <= 0.5, (0 ... 1).contains(lowScoreRiseAlert),
              lowScoreThreshold.isFinite else {
            throw LifecycleError.invalidRequest("centroid_shift_alert must be positive, score_shift_significance in (0, 0.5], low_score_rise_alert in 0...1")
        }
    }

    enum CodingKeys: String, CodingKey {
        case logCapacity = "log_capacity"
        case sampleRate = "sample_rate"
        case logText = "log_text"
        case driftWindow = "drift_window"
        case lowScoreThreshold = "low_score_threshold"
        case centroidShiftAlert = "centroid_shift_alert"
        case scoreShiftSignificance = "score_shift_significance"
        case lowScoreRiseAlert = "low_score_rise_alert"
    }
}
