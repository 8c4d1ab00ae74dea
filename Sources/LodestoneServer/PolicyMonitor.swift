import Foundation
import Lifecycle
import Logging
import Synchronization

/// The closed loop: runs each collection's policy on its own thread, off the request paths.
/// Every check interval it reads the collection's signals; on a drift alert it measures recall
/// on logged queries, when a signal crosses its limit it starts a rebuild as a build job, and
/// when that rebuild is ready and the policy allows it, it promotes it through every gate.
/// Each step is in the audit trail with the signal that caused it.
public final class PolicyMonitor: Sendable {
    struct CollectionState: Sendable {
        var lastCheck: ContinuousClock.Instant?
        var driftAlerted = false
        var lastRebuild: Date?
        var recall: RecallReport?
        var checkedAt: Date?
        /// The last build the policy started.
        var policyBuild: Int?
    }

    let engine: Engine
    let jobs: BuildJobs
    let logger: Logger
    private let states = Mutex<[String: CollectionState]>([:])
    private let running = Atomic<Bool>(false)
    static let actor = "policy"

    public init(engine: Engine, jobs: BuildJobs, logger: Logger) {
        self.engine = engine
        self.jobs = jobs
        self.logger = logger
    }

    public func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                tick()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        thread.name = "policy monitor"
        thread.start()
    }

    public func stop() { running.store(false, ordering: .releasing) }

    /// The last signals read for `collection`, for `GET .../policy`.
    func state(of collection: String) -> CollectionState? { states.withLock { $0[collection] } }

    private func tick() {
        guard let policies = try? engine.lifecycle.policies.all() else { return }
        for (name, policy) in policies where policy.isActive {
            guard let serving = engine.openCollection(named: name) else { continue }
            let now = ContinuousClock.now
            let due = states.withLock { states in
                states[name]?.lastCheck.map { now - $0 >= .seconds(policy.checkIntervalSeconds) } ?? true
            }
            guard due else { continue }
            do {
                try check(serving, policy)
            } catch {
                logger.error("policy check failed", metadata: ["collection": "\(name)", "error": "\(error)"])
            }
            states.withLock { $0[name, default: CollectionState()].lastCheck = now }
        }
    }

    private func check(_ serving: ServingCollection, _ policy: CollectionPolicy) throws {
        let name = serving.name
        let signals = serving.policySignals()
        var state = states.withLock { $0[name] } ?? CollectionState()
        // Kept whatever happens below, so a failing step is not retried (and audited) every tick.
        defer { states.withLock { $0[name] = state } }
        let recheck = policy.recheckOnDrift && signals.driftAlert && !state.driftAlerted
        if recheck || policy.loggedRecallFloor != nil {
            state.recall = try serving.recallOnLoggedQueries()
            state.checkedAt = Date()
        }
        // A rebuild the policy started that is ready but not serving (auto_promote off, or a gate
        // refused it) waits for a person: another rebuild would measure the same serving graph.
        let builds = try engine.lifecycle.builds.builds(of: name)
        let waiting = state.policyBuild.map { number in
            number > serving.servingBuild && builds.contains { $0.number == number && $0.status == .ready }
        } ?? false
        let building = waiting || builds.contains { $0.status == .building }
        let decisions = signals.decisions(policy, driftWasAlerted: state.driftAlerted, recall: state.recall,
                                          buildRunning: building, lastRebuild: state.lastRebuild)
        state.driftAlerted = signals.driftAlert
        for decision in decisions {
            switch decision {
            case let .recheck(reason):
                let measured = state.recall.map { String(format: "recall@10 %.4f on %d logged queries of build %d", $0.recall, $0.queries, serving.servingBuild) }
                    ?? "fewer than 10 logged queries of the serving build, nothing measured"
                var entry = AuditEntry(collection: name, actor: Self.actor, action: .policyCheck, fromBuild: serving.servingBuild, toBuild: nil,
                                       reason: "\(reason) → \(measured)")
                entry.recall = state.recall
                _ = try engine.lifecycle.audit.append(entry)
            case let .rebuild(reason):
                state.lastRebuild = Date()
                state.policyBuild = try startRebuild(serving, reason: reason)
            }
        }
    }

    private func startRebuild(_ serving: ServingCollection, reason: String) throws -> Int {
        let name = serving.name
        var runner = BuildRunner(context: engine.lifecycle)
        runner.live = serving
        let record = try runner.begin(collection: name, parameters: try runner.servingParameters(collection: name))
        _ = try engine.lifecycle.audit.append(AuditEntry(collection: name, actor: Self.actor, action: .policyRebuild, fromBuild: serving.servingBuild,
                                                         toBuild: record.number, reason: reason))
        logger.notice("policy started a rebuild", metadata: ["collection": "\(name)", "build": "\(record.number)", "reason": "\(reason)"])
        let engine = self.engine, logger = self.logger
        jobs.start(record, runner: runner) { finished in
            // The policy as it stands when the build is ready: auto_promote may have been turned off meanwhile.
            guard finished.status == .ready, (try? engine.lifecycle.policies.policy(name))??.autoPromote == true else { return }
            do {
                // Through every gate: a refusal is recorded in the audit trail like any other.
                let outcome = try engine.promote(collection: name, build: finished.number, actor: Self.actor,
                                                 reason: "auto_promote of the rebuild the policy started because \(reason)")
                logger.notice("policy promotion", metadata: ["collection": "\(name)", "build": "\(finished.number)", "promoted": "\(outcome.promoted)"])
            } catch {
                logger.error("policy promotion failed", metadata: ["collection": "\(name)", "build": "\(finished.number)", "error": "\(error)"])
            }
        }
        return record.number
    }
}
