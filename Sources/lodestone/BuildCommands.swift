import ArgumentParser
import Foundation
import Lifecycle
import Storage
import Synchronization
import VectorIndex

/// `lodestone build`: a new numbered index version of a collection, with its recall report.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a new index version of a collection from its stored points and measure its recall."
    )

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection to build.") var collection: String
    @Option(help: "Registered model (name@version) whose embeddings of the stored text the build indexes (default: the collection's model, or its stored vectors).")
    var model: String?
    @Option(help: "HNSW M (default: the collection's).") var m: Int?
    @Option(name: .customLong("ef-construct"), help: "HNSW ef_construct (default: the collection's).") var efConstruct: Int?
    @Option(help: "Beam width the recall check searches with (default: the collection's ef).") var ef: Int?
    @Option(help: "Threads used to insert.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print the build record as one JSON object.") var json = false

    func run() throws {
        let store = try Store(directory: URL(fileURLWithPath: data))
        let schema = try store.collection(named: collection).schema()
        let parameters = HNSWParameters(m: m ?? schema.hnsw.m, efConstruction: efConstruct ?? schema.hnsw.efConstruction,
                                        ef: ef ?? schema.hnsw.ef)
        let runner = try BuildRunner(store: store, threads: threads)
        let begun = try runner.begin(collection: collection, model: model, parameters: parameters)
        // Ctrl-C cancels: the build is recorded as failed ("cancelled") and never serves.
        let cancellation = BuildCancellation()
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { cancellation.cancel() }
        interrupt.resume()
        let bars = Mutex<[BuildProgress.Phase: ProgressBar]>([:])
        let record = try runner.run(begun, cancellation: cancellation) { report in
            let bar = bars.withLock { bars in
                if let bar = bars[report.phase] { return bar }
                let bar = ProgressBar(label: report.phase.rawValue, total: report.total)
                bars[report.phase] = bar
                return bar
            }
            bar.update(report.done)
        }
        interrupt.cancel()
        try BuildsCommand.emit(record, json: json)
        if record.status != .ready { throw ExitCode(1) }
    }
}

struct BuildsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "builds",
        abstract: "Inspect a collection's index builds.",
        subcommands: [List.self, Follow.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a collection's builds with status and recall.")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try Store(directory: URL(fileURLWithPath: data))
            _ = try store.collection(named: collection)
            let builds = try BuildCatalog(store: store).builds(of: collection)
            if json {
                let objects = try builds.map { try jsonObject($0) }
                try printJSONObject(["builds": objects])
                return
            }
            for build in builds { try BuildsCommand.emit(build, json: false) }
        }
    }

    struct Follow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Catch a collection's ready, non-serving builds up with its change log (a running server does this by itself).")
        @Option(help: "Data directory.") var data: String = "./data"
        @Option(help: "Collection.") var collection: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let engine = try Engine(dataDirectory: URL(fileURLWithPath: data))
            let moved = try engine.followReadyBuilds(of: collection)
            if json {
                try printJSONObject(["collection": collection, "followed": moved])
            } else {
                print(moved.isEmpty ? "every ready build of '\(collection)' is current" : "caught up builds \(moved.map(String.init).joined(separator: ", "))")
            }
        }
    }

    static func emit(_ record: BuildRecord, json: Bool) throws {
        if json {
            try printJSON(record)
            return
        }
        var line = "build \(record.number) of \(record.collection): \(record.status.rawValue), \(record.points) points, M=\(record.m) ef_construct=\(record.efConstruction), from sequence \(record.fromSequence) to \(record.appliedSequence)"
        if let seconds = record.buildSeconds { line += String(format: ", built in %.2f s", seconds) }
        if let recall = record.recall {
            line += String(format: "; recall@%d %.4f at ef=%d on %d %@ queries (p50 %.3f ms, p99 %.3f ms)",
                           recall.k, recall.recall, recall.ef, recall.queries, recall.querySource,
                           recall.latencyP50Milliseconds, recall.latencyP99Milliseconds)
        }
        if let production = record.production {
            line += String(format: "; production build %d: recall@10 %.4f on the same queries", production.build, production.recall)
        }
        if let model = record.model { line += "; model \(model)" }
        if let failure = record.failure { line += "; failed: \(failure)" }
        print(line)
    }
}
