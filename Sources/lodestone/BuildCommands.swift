import ArgumentParser
import Foundation
import Lifecycle
import Storage
import VectorIndex

/// `lodestone build`: a new numbered index version of a collection, with its recall report.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a new index version of a collection from its stored points and measure its recall."
    )

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection to build.") var collection: String
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
        let progress = ProgressBar(label: "build", total: max(try store.collection(named: collection).count(), 1))
        let record = try runner.run(collection: collection, parameters: parameters) { done, _ in progress.update(done) }
        try BuildsCommand.emit(record, json: json)
        if record.status != .ready { throw ExitCode(1) }
    }
}

struct BuildsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "builds",
        abstract: "Inspect a collection's index builds.",
        subcommands: [List.self]
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
                let objects = try builds.map { try BuildsCommand.jsonObject($0) }
                print(String(decoding: try JSONSerialization.data(withJSONObject: ["builds": objects], options: [.sortedKeys]), as: UTF8.self))
                return
            }
            for build in builds { try BuildsCommand.emit(build, json: false) }
        }
    }

    static func jsonObject(_ record: BuildRecord) throws -> Any {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONSerialization.jsonObject(with: encoder.encode(record))
    }

    static func emit(_ record: BuildRecord, json: Bool) throws {
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: try jsonObject(record), options: [.sortedKeys]), as: UTF8.self))
            return
        }
        var line = "build \(record.number) of \(record.collection): \(record.status.rawValue), \(record.points) points, M=\(record.m) ef_construct=\(record.efConstruction), from sequence \(record.fromSequence) to \(record.appliedSequence)"
        if let seconds = record.buildSeconds { line += String(format: ", built in %.2f s", seconds) }
        if let recall = record.recall {
            line += String(format: "; recall@%d %.4f at ef=%d on %d %@ queries (p50 %.3f ms, p99 %.3f ms)",
                           recall.k, recall.recall, recall.ef, recall.queries, recall.querySource,
                           recall.latencyP50Milliseconds, recall.latencyP99Milliseconds)
        }
        if let failure = record.failure { line += "; failed: \(failure)" }
        print(line)
    }
}
