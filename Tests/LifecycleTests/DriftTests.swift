import Foundation
import Lifecycle
import Storage
import Testing
import VectorFormats

/// Drift signals on synthetic query streams: a shifted distribution must raise the alert, an
/// unchanged one must not (false alarms counted over many seeds).
@Suite struct DriftTests {
    /// `count` queries drawn around `topics` of a fixed clustered space, with top-1 scores
    /// from a normal distribution.
    static func stream(_ queryLog: QueryLog, seed: UInt64, stream: UInt64, clusters: Int, count: Int, scoreMean: Double) {
        let dimension = 32
        let values = SyntheticVectors(dimension: dimension, clusters: clusters, seed: seed).generate(count: count, stream: stream)
        var generator = SplitMix64(seed: seed &+ stream)
        for row in 0 ..< count {
            let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(generator.next() >> 11) / Double(1 << 53)
            let score = scoreMean + 0.05 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            queryLog.record(build: 1, vector: Array(values[row * dimension ..< (row + 1) * dimension]), text: nil, scores: [Float(score)])
        }
    }

    @Test("an unchanged query distribution raises no alert in at least 99 of 100 seeds")
    func noFalseAlarms() {
        var alarms = 0
        for seed in UInt64(0) ..< 100 {
            let log = QueryLog(settings: MonitoringSettings(driftWindow: 300))
            Self.stream(log, seed: seed, stream: 1, clusters: 8, count: 300, scoreMean: 0.7)
            Self.stream(log, seed: seed, stream: 2, clusters: 8, count: 300, scoreMean: 0.7)
            let report = DriftMonitor.report(collection: "c", log: log)
            #expect(report.ready && report.referenceQueries == 300 && report.recentQueries == 300)
            if report.alert { alarms += 1 }
        }
        #expect(alarms <= 1, "\(alarms) false alarms in 100 seeds")
    }

    @Test("queries from other topics and lower top-1 scores raise the alert in every seed, naming the signals")
    func shiftRaisesAlert() {
        for seed in UInt64(0) ..< 20 {
            let log = QueryLog(settings: MonitoringSettings(driftWindow: 300))
            Self.stream(log, seed: seed, stream: 1, clusters: 8, count: 300, scoreMean: 0.7)
            // Other topics: a different cluster layout; poorer matches.
            Self.stream(log, seed: seed &+ 1000, stream: 2, clusters: 8, count: 300, scoreMean: 0.45)
            let report = DriftMonitor.report(collection: "c", log: log)
            #expect(report.alert && report.centroidShift > 3 && report.top1KS > report.top1KSCritical, "\(report)")
            #expect(report.reasons.count >= 2)
        }
    }

    @Test("the log is bounded, sampled, can drop text, and keeps its reference window when it wraps")
    func boundedLog() {
        let log = QueryLog(settings: MonitoringSettings(logCapacity: 100, sampleRate: 1, logText: false, driftWindow: 50))
        for index in 0 ..< 250 { log.record(build: 1, vector: [Float(index)], text: "q\(index)", scores: [0.5]) }
        #expect(log.count == 100 && log.entries.first?.vector == [150] && log.entries.last?.vector == [249])
        #expect(log.entries.allSatisfy { $0.text == nil })
        let report = DriftMonitor.report(collection: "c", log: log)
        #expect(report.referenceQueries == 50 && report.recentQueries == 50)
        // Growing a wrapped ring keeps the order: new entries come after the newest.
        log.update(MonitoringSettings(logCapacity: 200, sampleRate: 1, logText: false, driftWindow: 50))
        log.record(build: 1, vector: [1_000], text: nil, scores: [0.5])
        #expect(log.count == 101 && log.entries.first?.vector == [150] && log.entries.last?.vector == [1_000])
        #expect(throws: LifecycleError.self) { try MonitoringSettings(scoreShiftSignificance: 0).validate() }
        let sampled = QueryLog(settings: MonitoringSettings(logCapacity: 10_000, sampleRate: 0.1))
        for _ in 0 ..< 5_000 { sampled.record(build: 1, vector: [0], text: nil, scores: []) }
        #expect((350 ... 650).contains(sampled.count), "\(sampled.count) of 5000 logged at rate 0.1")
    }
}

@Suite struct CanaryRoutingTests {
    @Test("canary routing is sticky per client key, admits about the fraction, and a ramp-up only adds clients")
    func stickyRouting() {
        let small = CanarySettings(build: 2, fraction: 0.1), large = CanarySettings(build: 2, fraction: 0.3)
        let keys = (0 ..< 20_000).map { "client-\($0)" }
        let admittedSmall = keys.filter { small.admits(clientKey: $0) }
        let admittedLarge = Set(keys.filter { large.admits(clientKey: $0) })
        #expect(abs(Double(admittedSmall.count) / 20_000 - 0.1) < 0.01 && abs(Double(admittedLarge.count) / 20_000 - 0.3) < 0.015)
        #expect(admittedSmall.allSatisfy { admittedLarge.contains($0) })
        #expect(keys.prefix(500).allSatisfy { small.admits(clientKey: $0) == small.admits(clientKey: $0) })
        #expect(!CanarySettings(build: 2, fraction: 0).admits(clientKey: "anyone"))
    }
}

@Suite struct QueryLogPersistenceTests {
    @Test("a stored query log comes back with its entries, reference window and serials")
    func roundTrip() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory, buildThreads: 1)
        let serving = try engine.createCollection(CollectionSchema(name: "q", dimension: 3, distance: .euclid))
        try serving.upsert(points(clustered(50, dimension: 3)))
        let settings = MonitoringSettings(logCapacity: 40, driftWindow: 10)
        try engine.setMonitoring(collection: "q", settings: settings)
        for query in clustered(60, dimension: 3, stream: 4) { _ = try serving.search(SearchRequest(vector: query, limit: 3)) }
        serving.queryLog.record(build: 0, vector: [1, 2, 3], text: "with text", scores: [0.5])
        try serving.persistQueryLog()
        let stored = try #require(try QueryLog.stored(in: engine.store.collection(named: "q"), settings: settings))
        #expect(stored.entries == serving.queryLog.entries && stored.count == 40 && stored.entries.last?.text == "with text")
        #expect(DriftMonitor.report(collection: "q", log: stored) == DriftMonitor.report(collection: "q", log: serving.queryLog))
        #expect(stored.loggedCount == 61)
    }
}
