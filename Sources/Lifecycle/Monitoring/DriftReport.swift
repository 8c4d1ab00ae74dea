import Foundation

/// Drift of a collection's queries: the sliding window against the reference window.
public struct DriftReport: Codable, Sendable, Equatable {
    public var collection: String
    public var referenceQueries: Int
    public var recentQueries: Int
    public var referenceSince: Date
    /// True once both windows hold enough queries to compare.
    public var ready: Bool
    /// Squared distance between the windows' mean query vectors over its expected sampling
    /// noise (about 1 when nothing changed).
    public var centroidShift: Double
    /// Cosine distance between the windows' mean query vectors.
    public var centroidCosineDistance: Double
    public var referenceMeanTop1: Double
    public var recentMeanTop1: Double
    /// Two-sample Kolmogorov-Smirnov statistic between the windows' top-1 scores, and the
    /// critical value at the configured significance.
    public var top1KS: Double
    public var top1KSCritical: Double
    public var referenceLowScoreFraction: Double
    public var recentLowScoreFraction: Double
    public var alert: Bool
    /// Which signals crossed their thresholds, one sentence each.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case collection, ready, alert, reasons
        case referenceQueries = "reference_queries"
        case recentQueries = "recent_queries"
        case referenceSince = "reference_since"
        case centroidShift = "centroid_shift"
        case centroidCosineDistance = "centroid_cosine_distance"
        case referenceMeanTop1 = "reference_mean_top1"
        case recentMeanTop1 = "recent_mean_top1"
        case top1KS = "top1_ks"
        case top1KSCritical = "top1_ks_critical"
        case referenceLowScoreFraction = "reference_low_score_fraction"
        case recentLowScoreFraction = "recent_low_score_fraction"
    }
}

/// Computes drift signals from a query log.
public enum DriftMonitor {
    /// Windows smaller than this are not compared.
    static func minimumWindow(_ settings: MonitoringSettings) -> Int { max(20, settings.driftWindow / 5) }

    public static func report(collection: String, log: QueryLog) -> DriftReport {
        let (reference, recent, since, settings) = log.windows()
        var report = DriftReport(
            collection: collection, referenceQueries: reference.count, recentQueries: recent.count, referenceSince: since, ready: false,
            centroidShift: 0, centroidCosineDistance: 0, referenceMeanTop1: mean(top1(reference)), recentMeanTop1: mean(top1(recent)),
            top1KS: 0, top1KSCritical: 0, referenceLowScoreFraction: lowFraction(reference, settings),
            recentLowScoreFraction: lowFraction(recent, settings), alert: false, reasons: [])
        let minimum = minimumWindow(settings)
        guard reference.count >= minimum, recent.count >= minimum,
              let dimension = reference.first?.vector.count, recent.allSatisfy({ $0.vector.count == dimension }) else { return report }
        report.ready = true
        let (referenceMean, referenceSpread) = centroid(reference.map(\.vector), dimension: dimension)
        let (recentMean, recentSpread) = centroid(recent.map(\.vector), dimension: dimension)
        var squared = 0.0, dot = 0.0, normA = 0.0, normB = 0.0
        for index in 0 ..< dimension {
            let difference = referenceMean[index] - recentMean[index]
            squared += difference * difference
            dot += referenceMean[index] * recentMean[index]
            normA += referenceMean[index] * referenceMean[index]
            normB += recentMean[index] * recentMean[index]
        }
        let noise = referenceSpread / Double(reference.count) + recentSpread / Double(recent.count)
        report.centroidShift = noise > 0 ? squared / noise : 0
        report.centroidCosineDistance = normA > 0 && normB > 0 ? 1 - dot / (normA * normB).squareRoot() : 0
        // Queries that returned nothing have no top-1 score; compare the ones that did.
        let (referenceTop, recentTop) = (top1(reference), top1(recent))
        let (statistic, critical) = referenceTop.isEmpty || recentTop.isEmpty
            ? (0, 1) : kolmogorovSmirnov(referenceTop, recentTop, significance: settings.scoreShiftSignificance)
        report.top1KS = statistic
        report.top1KSCritical = critical
        if report.centroidShift > settings.centroidShiftAlert {
            report.reasons.append(String(format: "the query centroid moved %.1f times its sampling noise (alert above %.1f)",
                                         report.centroidShift, settings.centroidShiftAlert))
        }
        if statistic > critical {
            report.reasons.append(String(format: "top-1 scores shifted: KS %.3f > %.3f (mean %.3f -> %.3f)",
                                         statistic, critical, report.referenceMeanTop1, report.recentMeanTop1))
        }
        let rise = report.recentLowScoreFraction - report.referenceLowScoreFraction
        if rise > settings.lowScoreRiseAlert {
            report.reasons.append(String(format: "queries with top-1 below %.2f rose from %.1f%% to %.1f%%", settings.lowScoreThreshold,
                                         100 * report.referenceLowScoreFraction, 100 * report.recentLowScoreFraction))
        }
        report.alert = !report.reasons.isEmpty
        return report
    }

    /// Mean vector and total variance (trace of the covariance).
    static func centroid(_ vectors: [[Float]], dimension: Int) -> ([Double], Double) {
        var sum = [Double](repeating: 0, count: dimension)
        var squares = [Double](repeating: 0, count: dimension)
        for vector in vectors {
            for index in 0 ..< dimension {
                let value = Double(vector[index])
                sum[index] += value
                squares[index] += value * value
            }
        }
        let count = Double(vectors.count)
        let mean = sum.map { $0 / count }
        var spread = 0.0
        for index in 0 ..< dimension { spread += max(0, squares[index] / count - mean[index] * mean[index]) }
        return (mean, spread * count / max(count - 1, 1))
    }

    /// The two-sample KS statistic and its asymptotic critical value at `significance`.
    static func kolmogorovSmirnov(_ a: [Double], _ b: [Double], significance: Double) -> (Double, Double) {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, statistic = 0.0
        while i < x.count, j < y.count {
            let value = min(x[i], y[j])
            while i < x.count, x[i] <= value { i += 1 }
            while j < y.count, y[j] <= value { j += 1 }
            statistic = max(statistic, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        let n = Double(x.count), m = Double(y.count)
        let coefficient = (-0.5 * log(significance / 2)).squareRoot()
        return (statistic, coefficient * ((n + m) / (n * m)).squareRoot())
    }

    static func top1(_ queries: [LoggedQuery]) -> [Double] { queries.compactMap { $0.scores.first.map(Double.init) } }
    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    static func lowFraction(_ queries: [LoggedQuery], _ settings: MonitoringSettings) -> Double {
        let scores = top1(queries)
        return scores.isEmpty ? 0 : Double(scores.filter { $0 < settings.lowScoreThreshold }.count) / Double(scores.count)
    }
}
