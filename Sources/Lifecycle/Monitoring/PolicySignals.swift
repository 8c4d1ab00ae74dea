import Foundation
import VectorIndex

/// What a policy reads from a serving collection at one check.
public struct PolicySignals: Sendable {
    public var driftAlert: Bool
    public var driftReasons: [String]
    /// Deleted points still in the serving graph, over all its points.
    public var deletedFraction: Double
    public var deletedPoints: Int

    public init(driftAlert: Bool, driftReasons: [String], deletedFraction: Double, deletedPoints: Int) {
        self.driftAlert = driftAlert
        self.driftReasons = driftReasons
        self.deletedFraction = deletedFraction
        self.deletedPoints = deletedPoints
    }

    /// A decision with the signal that caused it, as the audit trail records it.
    public enum Decision: Sendable, Equatable {
        case recheck(reason: String)
        case rebuild(reason: String)
    }

    /// What the policy calls for. `driftWasAlerted` is the alert at the previous check (a
    /// re-check runs when an alert is raised, not at every check while it lasts); `recall` is
    /// the latest recall on logged queries; `lastRebuild` when the policy last started one.
    public func decisions(_ policy: CollectionPolicy, driftWasAlerted: Bool, recall: RecallReport?, buildRunning: Bool,
                          lastRebuild: Date?, now: Date = Date()) -> [Decision] {
        var decisions: [Decision] = []
        if policy.recheckOnDrift, driftAlert, !driftWasAlerted {
            decisions.append(.recheck(reason: "drift alert: " + driftReasons.joined(separator: "; ")))
        }
        var causes: [String] = []
        if let floor = policy.loggedRecallFloor, let recall, recall.recall < floor {
            causes.append(String(format: "recall@10 on %d logged queries is %.4f, below the floor %.4f", recall.queries, recall.recall, floor))
        }
        if let limit = policy.maxDeletedFraction, deletedFraction > limit {
            causes.append(String(format: "%d deleted points are %.1f%% of the graph, above %.1f%%", deletedPoints, deletedFraction * 100, limit * 100))
        }
        let cooledDown = lastRebuild.map { now.timeIntervalSince($0) >= policy.rebuildCooldownSeconds } ?? true
        if !causes.isEmpty, !buildRunning, cooledDown {
            decisions.append(.rebuild(reason: causes.joined(separator: "; ")))
        }
        return decisions
    }
}

extension ServingCollection {
    public func policySignals() -> PolicySignals {
        let drift = driftReport()
        let deleted = deletedCount, total = liveCount + deletedCount
        return PolicySignals(driftAlert: drift.alert, driftReasons: drift.reasons,
                             deletedFraction: total == 0 ? 0 : Double(deleted) / Double(total), deletedPoints: deleted)
    }

    /// Recall@10 of the serving graph on the latest logged queries of the serving build
    /// (exact search as truth); nil while fewer than `minimum` are logged.
    public func recallOnLoggedQueries(queries: Int = 100, minimum: Int = 10) throws -> RecallReport? {
        let index = indexes.hnsw
        let build = servingBuild
        let vectors = queryLog.entries.filter { $0.build == build && $0.vector.count == index.dimension }.suffix(queries).map(\.vector)
        guard vectors.count >= minimum else { return nil }
        return try RecallCheck(k: 10, queries: queries).measure(index, ef: index.parameters.ef, on: .logged(Array(vectors)))
    }
}
