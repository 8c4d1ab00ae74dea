import Foundation
import Storage
import Synchronization

/// One logged query: what was asked and how well the index answered it.
public struct LoggedQuery: Sendable, Equatable {
    public var at: Date
    /// Position in the stream of logged queries (never reused).
    public var serial: Int
    public var build: Int
    public var vector: [Float]
    public var text: String?
    /// Scores of the returned points, best first.
    public var scores: [Float]
}

/// A bounded, sampled log of a collection's queries, plus the frozen reference window drift is
/// measured against: the first `driftWindow` queries the serving build answered (reset when
/// another build serves, or on request).
public final class QueryLog: Sendable {
    struct State {
        var settings: MonitoringSettings
        var entries: [LoggedQuery] = []
        var next = 0
        var reference: [LoggedQuery] = []
        var referenceBuild: Int?
        var referenceSince = Date()
        var generator = SystemRandomNumberGenerator()
        var logged = 0
        /// Bumped by every change, so reports computed from the log know when they are stale.
        var version = 0
    }

    private let state: Mutex<State>

    public init(settings: MonitoringSettings = MonitoringSettings()) {
        state = Mutex(State(settings: settings))
    }

    public var settings: MonitoringSettings {
        get { state.withLock { $0.settings } }
    }

    public func update(_ settings: MonitoringSettings) {
        state.withLock { state in
            guard state.settings != settings else { return }
            state.version += 1
            if settings.logCapacity != state.settings.logCapacity {
                // Linear again, so a larger ring appends after the newest entry.
                state.entries = Array(ordered(state).suffix(max(settings.logCapacity, 0)))
                state.next = 0
            }
            state.settings = settings
            if !settings.logText {
                for index in state.entries.indices { state.entries[index].text = nil }
            }
        }
    }

    /// Logs a query with probability `sample_rate`.
    /// `scores` is only evaluated for a query the sampling keeps.
    public func record(build: Int, vector: [Float], text: String?, scores: @autoclosure () -> [Float], at: Date = Date()) {
        state.withLock { state in
            let settings = state.settings
            guard settings.logCapacity > 0, settings.sampleRate > 0 else { return }
            if settings.sampleRate < 1, Double.random(in: 0 ..< 1, using: &state.generator) >= settings.sampleRate { return }
            let entry = LoggedQuery(at: at, serial: state.logged, build: build, vector: vector, text: settings.logText ? text : nil, scores: scores())
            if state.referenceBuild != build {
                state.reference = []
                state.referenceBuild = build
                state.referenceSince = at
            }
            if state.reference.count < settings.driftWindow { state.reference.append(entry) }
            if state.entries.count < settings.logCapacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % state.entries.count
            }
            state.logged += 1
            state.version += 1
        }
    }

    /// Starts a new reference window with the next queries.
    public func resetReference() {
        state.withLock { state in
            state.reference = []
            state.referenceBuild = nil
            state.version += 1
        }
    }

    /// The stored form of this log.
    var image: [UInt8] {
        state.withLock { state in
            QueryLogImage.encode(.init(logged: state.logged, referenceBuild: state.referenceBuild, referenceSince: state.referenceSince,
                                       reference: state.reference, entries: ordered(state)))
        }
    }

    /// Changes whenever the log's contents, reference window or settings change.
    public var version: Int { state.withLock { $0.version } }

    /// Queries logged since the log was created or restored, for deciding when to store it.
    public var loggedCount: Int { state.withLock { $0.logged } }

    /// Replaces the contents with a stored image (settings stay as they are).
    func restore(_ bytes: [UInt8]) throws {
        let contents = try QueryLogImage.decode(bytes)
        state.withLock { state in
            state.entries = Array(contents.entries.suffix(max(state.settings.logCapacity, 0)))
            state.next = 0
            state.reference = contents.reference
            state.referenceBuild = contents.referenceBuild
            state.referenceSince = contents.referenceSince
            state.logged = contents.logged
            state.version += 1
        }
    }

    /// The log a collection stored last (its server writes it every minute and at shutdown).
    public static func stored(in store: CollectionStore, settings: MonitoringSettings) throws -> QueryLog? {
        guard let bytes = try store.blobs.get(name: QueryLogImage.blobName) else { return nil }
        let log = QueryLog(settings: settings)
        try log.restore(bytes)
        return log
    }

    /// The logged queries, oldest first.
    public var entries: [LoggedQuery] { state.withLock { ordered($0) } }
    public var count: Int { state.withLock { $0.entries.count } }

    /// The reference window and the latest `driftWindow` queries.
    func windows() -> (reference: [LoggedQuery], recent: [LoggedQuery], since: Date, settings: MonitoringSettings) {
        state.withLock { state in
            let window = state.settings.driftWindow
            // The sliding window starts after the reference window ends, so they never overlap.
            let referenceEnd = state.reference.count >= window ? state.reference.last?.serial : nil
            let recent = ordered(state).filter { entry in referenceEnd.map { entry.serial > $0 } ?? false }.suffix(window)
            return (state.reference, Array(recent), state.referenceSince, state.settings)
        }
    }

    private func ordered(_ state: State) -> [LoggedQuery] {
        Array(state.entries[state.next...] + state.entries[..<state.next])
    }
}
