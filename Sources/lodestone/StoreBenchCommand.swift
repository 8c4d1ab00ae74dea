import ArgumentParser
import Foundation
import Lifecycle
import Storage
import VectorFormats

/// Measures what persisting the index buys: opening a collection from its stored index image
/// against rebuilding the graph from the stored vectors, on the same data in one run.
struct StoreBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store",
        abstract: "Benchmark: reopen time (stored index) vs rebuild time for a generated collection."
    )

    @Option(help: "Scratch data directory (created; removed afterwards unless --keep).") var data: String = "./data/bench-store"
    @Option(help: "Number of vectors.") var count: Int = 100_000
    @Option(help: "Dimension.") var dim: Int = 384
    @Option(help: "Queries compared before and after reopening.") var queries: Int = 200
    @Option(help: "Threads used to rebuild.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Keep the scratch directory.") var keep = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let directory = URL(fileURLWithPath: data)
        try? FileManager.default.removeItem(at: directory)
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let generator = SyntheticVectors(dimension: dim, normalized: true, seed: 3)
        let values = generator.generate(count: count)
        let queryValues = generator.generate(count: queries, stream: 1)
        let queryVectors = (0..<queries).map { Array(queryValues[($0 * dim)..<(($0 + 1) * dim)]) }

        let importStart = ContinuousClock.now
        do {
            let engine = try Engine(dataDirectory: directory, buildThreads: threads)
            let serving = try engine.createCollection(CollectionSchema(name: "bench", dimension: dim, distance: .cosine))
            let progress = ProgressBar(label: "import", total: count)
            for first in stride(from: 0, to: count, by: 2000) {
                let last = min(first + 2000, count)
                try serving.upsert((first..<last).map { row in
                    PointInput(id: .number(UInt64(row)), vector: Array(values[(row * dim)..<((row + 1) * dim)]))
                })
                progress.update(last)
            }
            try serving.discardPersistedIndex()
        }
        let importSeconds = (ContinuousClock.now - importStart).seconds

        // Reopen without an image: the graph is rebuilt from LMDB on `threads` threads.
        let rebuildStart = ContinuousClock.now
        let before: [[PointID]]
        do {
            let engine = try Engine(dataDirectory: directory, buildThreads: threads)
            let progress = ProgressBar(label: "rebuild", total: count)
            let serving = try engine.collection(named: "bench") { done, _ in progress.update(done) }
            let rebuildSeconds = (ContinuousClock.now - rebuildStart).seconds
            before = try queryVectors.map { try serving.search(SearchRequest(vector: $0, limit: 10)).hits.map(\.point.id) }
            let persistStart = ContinuousClock.now
            try serving.persistIndex()
            let persistSeconds = (ContinuousClock.now - persistStart).seconds
            Self.rebuildSeconds = rebuildSeconds
            Self.persistSeconds = persistSeconds
        }
        let reopenStart = ContinuousClock.now
        let engine = try Engine(dataDirectory: directory, buildThreads: threads)
        let serving = try engine.collection(named: "bench")
        let reopenSeconds = (ContinuousClock.now - reopenStart).seconds
        let after = try queryVectors.map { try serving.search(SearchRequest(vector: $0, limit: 10)).hits.map(\.point.id) }
        let identical = before == after

        let result: [String: Any] = [
            "n": count, "dim": dim, "import_seconds": importSeconds, "rebuild_seconds": Self.rebuildSeconds,
            "persist_seconds": Self.persistSeconds, "reopen_seconds": reopenSeconds,
            "rebuild_over_reopen": Self.rebuildSeconds / max(reopenSeconds, 1e-9),
            "loaded_from_image": serving.loadedFromImage, "identical_results": identical, "threads": threads,
        ]
        if json {
            try printJSONObject(result)
        } else {
            print(String(format: "n=%d dim=%d: import %.2f s, rebuild %.2f s, persist %.2f s, reopen %.3f s -> reopen is %.1fx faster; same results: %@",
                         count, dim, importSeconds, Self.rebuildSeconds, Self.persistSeconds, reopenSeconds,
                         Self.rebuildSeconds / max(reopenSeconds, 1e-9), identical ? "yes" : "NO"))
        }
        if !identical { throw ExitCode(1) }
    }

    nonisolated(unsafe) private static var rebuildSeconds = 0.0
    nonisolated(unsafe) private static var persistSeconds = 0.0
}
