import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lifecycle
import Storage

/// Where a running server is, for reports that live in its memory (shadow, canary, drift).
struct ServerOptions: ParsableArguments {
    @Option(help: "URL of the running server.") var server: String = "http://127.0.0.1:6333"
    @Option(name: .customLong("api-key"), help: "API key, when the server requires one.") var apiKey: String?

    /// GETs `path` and prints its `result` (JSON with --json, else indented).
    func printResult(_ path: String, json: Bool) throws {
        guard let url = URL(string: server + path) else { throw ValidationError("bad --server URL \(server)") }
        var request = URLRequest(url: url)
        if let apiKey { request.setValue(apiKey, forHTTPHeaderField: "api-key") }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error { throw ValidationError("cannot reach \(server): \(error.localizedDescription)") }
        guard let data, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("\(server)\(path) answered \(status ?? 0) without JSON")
        }
        guard status == 200, let result = object["result"] else {
            throw ValidationError("\(server)\(path) answered \(status ?? 0): \(object["status"] ?? "")")
        }
        let options: JSONSerialization.WritingOptions = json ? [.sortedKeys] : [.sortedKeys, .prettyPrinted]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: options), as: UTF8.self))
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, Int?, (any Error)?) = (nil, nil, nil)
    func set(_ data: Data?, _ status: Int?, _ error: (any Error)?) { lock.withLock { value = (data, status, error) } }
    func get() -> (Data?, Int?, (any Error)?) { lock.withLock { value } }
}

/// `lodestone shadow start|stop|report`.
struct ShadowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow", abstract: "Shadow a fraction of live queries to a build and compare its answers with production's.",
        subcommands: [Start.self, Stop.self, Report.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start shadow traffic (a running server picks it up within a second).")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Option(help: "Build that shadows production.") var build: Int
        @Option(help: "Fraction of queries shadowed.") var fraction: Double = 0.1
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let engine = try Engine(dataDirectory: URL(fileURLWithPath: data))
            let entry = try engine.setShadow(collection: collection, build: build, fraction: fraction, actor: localUser)
            if json { try printJSON(entry) } else { print("build \(build) shadows \(fraction * 100)% of '\(collection)' queries") }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop shadow traffic.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let entry = try Engine(dataDirectory: URL(fileURLWithPath: data)).setShadow(collection: collection, build: nil, actor: localUser)
            if json { try printJSON(entry) } else { print("shadow traffic of '\(collection)' stopped") }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The running server's shadow report: overlap@k and latencies.")
        @Option(help: "Collection.") var collection: String
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print one JSON object.") var json = false
        func run() throws { try server.printResult("/collections/\(collection)/shadow", json: json) }
    }
}

/// `lodestone canary start|stop|report`.
struct CanaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary", abstract: "Route a sticky fraction of queries to a build, aborting automatically past error or latency bounds.",
        subcommands: [Start.self, Stop.self, Report.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a canary (a running server picks it up within a second).")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Option(help: "Candidate build.") var build: Int
        @Option(help: "Fraction of clients routed to it.") var fraction: Double = 0.05
        @Option(name: .customLong("max-error-rate"), help: "Abort above this error rate.") var maxErrorRate: Double = 0.01
        @Option(name: .customLong("max-p99-ms"), help: "Abort when p99 passes this (or the ratio bound, whichever is larger).") var maxP99: Double = 50
        @Option(name: .customLong("max-p99-ratio"), help: "Abort when p99 passes production's times this.") var maxRatio: Double = 2
        @Option(name: .customLong("min-queries"), help: "Queries before the bounds apply.") var minQueries: Int = 100
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let settings = CanarySettings(build: build, fraction: fraction, maxErrorRate: maxErrorRate, maxP99Ratio: maxRatio,
                                          maxP99Milliseconds: maxP99, minQueries: minQueries)
            let entry = try Engine(dataDirectory: URL(fileURLWithPath: data)).setCanary(collection: collection, canary: settings, actor: localUser)
            if json { try printJSON(entry) } else { print("build \(build) answers \(fraction * 100)% of '\(collection)' clients") }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the canary.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let entry = try Engine(dataDirectory: URL(fileURLWithPath: data)).setCanary(collection: collection, canary: nil, actor: localUser)
            if json { try printJSON(entry) } else { print("canary of '\(collection)' stopped") }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The running server's canary report.")
        @Option(help: "Collection.") var collection: String
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print one JSON object.") var json = false
        func run() throws { try server.printResult("/collections/\(collection)/canary", json: json) }
    }
}

/// `lodestone drift`: a collection's drift report, live from the server or from the query log it stored.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift", abstract: "Query drift of a collection: live from a running server, or with --data from its stored query log.")
    @Option(help: "Collection.") var collection: String
    @Option(help: "Data directory: read the stored query log instead of asking the server.") var data: String?
    @OptionGroup var server: ServerOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let data else { return try server.printResult("/collections/\(collection)/drift", json: json) }
        let store = try Store(directory: URL(fileURLWithPath: data))
        let settings = try LifecycleContext(store: store).serving.record(collection).monitoring ?? MonitoringSettings()
        guard let log = try QueryLog.stored(in: store.collection(named: collection), settings: settings) else {
            throw ValidationError("collection '\(collection)' has no stored query log yet (a server stores it every minute and when it stops)")
        }
        let report = DriftMonitor.report(collection: collection, log: log)
        if json { return try printJSON(report) }
        print(String(format: "%@: %@ (reference %d queries since %@, recent %d); centroid shift %.2f, top-1 KS %.3f (critical %.3f), mean top-1 %.3f -> %.3f, low-score share %.3f",
                     collection, report.alert ? "ALERT" : (report.ready ? "ok" : "collecting"), report.referenceQueries,
                     ISO8601DateFormatter().string(from: report.referenceSince), report.recentQueries, report.centroidShift,
                     report.top1KS, report.top1KSCritical, report.referenceMeanTop1, report.recentMeanTop1, report.recentLowScoreFraction))
        for reason in report.reasons { print("  " + reason) }
    }
}
