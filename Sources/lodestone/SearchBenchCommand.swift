import ArgumentParser
import Dispatch
import Foundation
import Lifecycle
import Synchronization
import VectorFormats

/// In-process search throughput of a stored collection, through the same `ServingCollection`
/// path the HTTP routes use (graph walk plus payload reads), so `tools/load-test` can report
/// the HTTP overhead as a ratio.
struct SearchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-search",
        abstract: "Benchmark: in-process queries per second on a stored collection."
    )

    @Option(help: "Data directory.") var data: String = "./data"
    @Option(help: "Collection to query.") var collection: String
    @Option(help: "Query vectors (.npy or .fvecs).") var queries: String
    @Option(help: "Results per query.") var limit: Int = 10
    @Option(help: "Concurrent searching threads.") var concurrency: Int = 1
    @Option(help: "Seconds to run.") var seconds: Double = 10
    @Flag(help: "Scan every vector exactly instead of walking the graph.") var exact = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let file = try VectorFile.read(URL(fileURLWithPath: queries))
        let vectors = (0..<file.rows).map { Array(file.values[($0 * file.dimension)..<(($0 + 1) * file.dimension)]) }
        guard !vectors.isEmpty else { throw ValidationError("\(queries) holds no vectors") }
        let serving = try Engine(dataDirectory: URL(fileURLWithPath: data)).collection(named: collection)
        let done = Atomic<Int>(0)
        let latencies = Mutex<[Double]>([])
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: max(1, concurrency)) { worker in
            var local: [Double] = []
            var index = worker * 7919
            while ContinuousClock.now < deadline {
                let began = ContinuousClock.now
                _ = try? serving.search(SearchRequest(vector: vectors[index % vectors.count], limit: limit, exact: exact))
                local.append((ContinuousClock.now - began).seconds)
                index += 1
            }
            done.add(local.count, ordering: .relaxed)
            latencies.withLock { $0.append(contentsOf: local) }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let sorted = latencies.withLock { $0.sorted() }
        let qps = Double(done.load(ordering: .relaxed)) / elapsed
        let p50 = Percentile.of(sorted, 0.5) * 1000, p99 = Percentile.of(sorted, 0.99) * 1000
        if json {
            let object: [String: Any] = ["qps": qps, "p50_ms": p50, "p99_ms": p99, "concurrency": concurrency,
                                         "points": serving.liveCount, "queries": sorted.count]
            try printJSONObject(object)
        } else {
            print(String(format: "in-process: %.0f queries/s, p50 %.3f ms, p99 %.3f ms (%d threads, %d points)",
                         qps, p50, p99, concurrency, serving.liveCount))
        }
    }
}
