import Foundation
import Lifecycle
import Testing

/// What a collection's policy decides from its signals: a re-check when a drift alert is
/// raised, a rebuild when a signal crosses its limit, never while a build runs or too soon.
@Suite struct PolicyDecisionTests {
    static func signals(alert: Bool = false, deleted: Double = 0) -> PolicySignals {
        PolicySignals(driftAlert: alert, driftReasons: alert ? ["centroid shift 4.2 above 1.0"] : [], deletedFraction: deleted, deletedPoints: Int(deleted * 1000))
    }

    static func recall(_ value: Double) -> RecallReport {
        RecallReport(k: 10, ef: 64, queries: 50, querySource: "query_log", recall: value, latencyP50Milliseconds: 0.1, latencyP99Milliseconds: 0.2)
    }

    @Test("a drift alert is re-checked once, when it is raised")
    func recheckOnRaise() {
        let policy = CollectionPolicy()
        #expect(Self.signals(alert: true).decisions(policy, driftWasAlerted: false, recall: nil, buildRunning: false, lastRebuild: nil)
                == [.recheck(reason: "drift alert: centroid shift 4.2 above 1.0")])
        #expect(Self.signals(alert: true).decisions(policy, driftWasAlerted: true, recall: nil, buildRunning: false, lastRebuild: nil).isEmpty)
        var quiet = policy
        quiet.recheckOnDrift = false
        #expect(Self.signals(alert: true).decisions(quiet, driftWasAlerted: false, recall: nil, buildRunning: false, lastRebuild: nil).isEmpty)
    }

    @Test("low recall or many deletions rebuild, naming every signal; not while building, not within the cooldown")
    func rebuildTriggers() {
        var policy = CollectionPolicy()
        policy.loggedRecallFloor = 0.9
        policy.maxDeletedFraction = 0.25
        let both = Self.signals(deleted: 0.3).decisions(policy, driftWasAlerted: false, recall: Self.recall(0.8), buildRunning: false, lastRebuild: nil)
        guard case let .rebuild(reason)? = both.first, both.count == 1 else { Issue.record("expected one rebuild, got \(both)"); return }
        #expect(reason.contains("recall@10 on 50 logged queries is 0.8000, below the floor 0.9000"))
        #expect(reason.contains("300 deleted points are 30.0% of the graph, above 25.0%"))
        #expect(Self.signals(deleted: 0.2).decisions(policy, driftWasAlerted: false, recall: Self.recall(0.95), buildRunning: false, lastRebuild: nil).isEmpty)
        #expect(Self.signals(deleted: 0.3).decisions(policy, driftWasAlerted: false, recall: nil, buildRunning: true, lastRebuild: nil).isEmpty)
        let now = Date()
        #expect(Self.signals(deleted: 0.3).decisions(policy, driftWasAlerted: false, recall: nil, buildRunning: false,
                                                     lastRebuild: now.addingTimeInterval(-60), now: now).isEmpty)
        #expect(Self.signals(deleted: 0.3).decisions(policy, driftWasAlerted: false, recall: nil, buildRunning: false,
                                                     lastRebuild: now.addingTimeInterval(-601), now: now).count == 1)
    }

    @Test("settings outside their ranges are refused in one place")
    func validation() {
        var policy = CollectionPolicy()
        policy.loggedRecallFloor = 0
        #expect(throws: LifecycleError.self) { try policy.validate() }
        policy.loggedRecallFloor = 0.9
        policy.maxDeletedFraction = 1
        #expect(throws: LifecycleError.self) { try policy.validate() }
        policy.maxDeletedFraction = 0.5
        policy.checkIntervalSeconds = 0.1
        #expect(throws: LifecycleError.self) { try policy.validate() }
        policy.checkIntervalSeconds = 1
        #expect(throws: Never.self) { try policy.validate() }
    }
}
