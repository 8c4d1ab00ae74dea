import ArgumentParser
import Foundation
import Lifecycle
import Storage
import VectorFormats
import VectorKernels

/// Filtered search at scale through the serving path: a generated clustered collection with
/// keyword payloads matching 1% and 10% of the points (independently of the vectors), built
/// by the parallel build, then single-thread QPS and recall@10 against the exact filtered
/// answer, each next to unfiltered search on the same graph and queries.
struct FilteredBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-filtered",
        abstract: "Benchmark: filtered search QPS and recall at 1% and 10% selectivity next to unfiltered search."
    )

    @Option(help: "Scratch data directory (created; removed afterwards unless --keep).") var data: String = "./data/bench-filtered"
    @Option(help: "Number of vectors.") var count: Int = 1_000_000
    @Option(help: "Dimension.") var dim: Int = 128
    @Option(help: "Queries (each timed mode cycles through them).") var queries: Int = 200
    @Option(help: "Seconds each mode is timed.") var seconds: Double = 10
    @Option(help: "Search breadths (hnsw_ef), comma-separated.") var ef: String = "64,128,256"
    @Option(help: "The collection's hnsw_config.full_scan_threshold in KB (Qdrant's default 10000).") var fullScanThreshold = HNSWSettings.defaultFullScanThreshold
    @Option(help: "Threads used to build the graph.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Keep the scratch directory (with the index image, for --reuse).") var keep = false
    @Flag(help: "Reuse a collection kept by an earlier --keep run instead of importing and building.") var reuse = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let directory = URL(fileURLWithPath: data)
        let reusing = reuse && FileManager.default.fileExists(atPath: directory.appendingPathComponent("collections").path)
        if !reusing { try? FileManager.default.removeItem(at: directory) }
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let breadths = ef.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !breadths.isEmpty else { throw ValidationError("--ef takes comma-separated integers") }
        let generator = SyntheticVectors(dimension: dim, clusters: 256, seed: 11)
        let schema = CollectionSchema(name: "filtered", dimension: dim, distance: .euclid, hnsw: HNSWSettings(fullScanThreshold: fullScanThreshold),
                                      payloadIndexes: ["tag1": .keyword, "tag10": .keyword])
        let importStart = ContinuousClock.now
        if !reusing {
            // Straight into the store: the graph is built afterwards by the parallel build.
            let store = try Engine(dataDirectory: directory).store.createCollection(schema)
            let values = generator.generate(count: count)
            let progress = ProgressBar(label: "import", total: count)
            for first in stride(from: 0, to: count, by: 5_000) {
                let last = min(first + 5_000, count)
                _ = try store.upsert((first ..< last).map { row in
                    let mixed = Self.mix(UInt64(row))
                    return PointInput(id: .number(UInt64(row)), vector: Array(values[(row * dim) ..< ((row + 1) * dim)]),
                                      payload: .object(["tag1": .string(mixed % 100 == 0 ? "hit" : "miss"),
                                                        "tag10": .string(mixed % 10 == 0 ? "hit" : "miss")]))
                })
                progress.update(last)
            }
        }
        let importSeconds = (ContinuousClock.now - importStart).seconds
        let buildStart = ContinuousClock.now
        let engine = try Engine(dataDirectory: directory, buildThreads: threads)
        let progress = ProgressBar(label: "build", total: count)
        let serving = try engine.collection(named: schema.name) { done, _ in progress.update(done) }
        let buildSeconds = (ContinuousClock.now - buildStart).seconds
        if keep { try serving.persistIndex() }

        let queryValues = generator.generate(count: queries, stream: 1)
        let vectors = (0 ..< queries).map { Array(queryValues[($0 * dim) ..< (($0 + 1) * dim)]) }
        var modes: [[String: Any]] = []
        for (name, filter) in try Self.filters() {
            let truth = try vectors.map { vector in
                try serving.search(SearchRequest(vector: vector, limit: 10, filter: filter, exact: true)).hits.map(\.point.id)
            }
            for breadth in breadths {
                var recalled = 0, expected = 0
                var plan = ""
                for (vector, exact) in zip(vectors, truth) {
                    let answer = try serving.search(SearchRequest(vector: vector, limit: 10, filter: filter, ef: breadth))
                    recalled += Set(answer.hits.map(\.point.id)).intersection(exact).count
                    expected += exact.count
                    plan = "\(answer.plan)"
                }
                let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                let timed = ContinuousClock.now
                var done = 0
                while ContinuousClock.now < deadline {
                    _ = try serving.search(SearchRequest(vector: vectors[done % vectors.count], limit: 10, filter: filter, ef: breadth))
                    done += 1
                }
                let qps = Double(done) / (ContinuousClock.now - timed).seconds
                modes.append(["mode": name, "ef": breadth, "qps": qps, "recall_at_10": Double(recalled) / Double(max(expected, 1)), "plan": plan])
            }
        }
        // Each filtered run next to the unfiltered one at the same ef, and next to the fastest
        // unfiltered ef that reaches the same recall (the like-for-like comparison).
        let unfiltered = modes.filter { $0["mode"] as! String == "none" }
        for index in modes.indices {
            let breadth = modes[index]["ef"] as! Int
            let recall = modes[index]["recall_at_10"] as! Double
            let same = unfiltered.first { $0["ef"] as! Int == breadth }!["qps"] as! Double
            modes[index]["qps_over_unfiltered"] = (modes[index]["qps"] as! Double) / same
            let atRecall = unfiltered.filter { $0["recall_at_10"] as! Double >= recall - 0.005 }.map { $0["qps"] as! Double }.max()
            modes[index]["qps_over_unfiltered_at_recall"] = atRecall.map { (modes[index]["qps"] as! Double) / $0 } ?? Double.nan
        }
        // The goal's comparison: the fastest run of each mode reaching recall@10 0.95.
        func fastest(_ mode: String) -> [String: Any]? {
            modes.filter { $0["mode"] as! String == mode && $0["recall_at_10"] as! Double >= 0.95 }
                .max { ($0["qps"] as! Double) < ($1["qps"] as! Double) }
        }
        var atTarget: [[String: Any]] = []
        if let reference = fastest("none") {
            for mode in ["10%", "1%"] {
                guard let best = fastest(mode) else { continue }
                atTarget.append(["mode": mode, "ef": best["ef"]!, "qps": best["qps"]!, "unfiltered_ef": reference["ef"]!,
                                 "unfiltered_qps": reference["qps"]!,
                                 "ratio": (best["qps"] as! Double) / (reference["qps"] as! Double)])
            }
        }
        let result: [String: Any] = ["n": count, "dim": dim, "threads": threads, "import_seconds": importSeconds,
                                     "build_seconds": buildSeconds, "reused": reusing, "kernel": KernelISA.best.shortName, "modes": modes,
                                     "at_recall_095": atTarget]
        if json {
            try printJSONObject(result)
        } else {
            print(String(format: "n=%d dim=%d: import %.1f s, build %.1f s on %d threads%@, kernels %@", count, dim, importSeconds, buildSeconds,
                         threads, reusing ? " (reused)" : "", KernelISA.best.shortName))
            for mode in modes {
                print(String(format: "  %-5@ ef %4d %8.0f q/s  %.2fx unfiltered at this ef, %.2fx at this recall  recall@10 %.4f  (%@)",
                             mode["mode"] as! String, mode["ef"] as! Int, mode["qps"] as! Double, mode["qps_over_unfiltered"] as! Double,
                             mode["qps_over_unfiltered_at_recall"] as! Double, mode["recall_at_10"] as! Double, mode["plan"] as! String))
            }
            for line in atTarget {
                print(String(format: "at recall@10 >= 0.95: %@ %.0f q/s (ef %d) / unfiltered %.0f q/s (ef %d) = %.2fx", line["mode"] as! String,
                             line["qps"] as! Double, line["ef"] as! Int, line["unfiltered_qps"] as! Double, line["unfiltered_ef"] as! Int,
                             line["ratio"] as! Double))
            }
        }
    }

    static func filters() throws -> [(String, Filter?)] {
        [("none", nil),
         ("10%", try Filter(jsonText: #"{"must":[{"key":"tag10","match":{"value":"hit"}}]}"#)),
         ("1%", try Filter(jsonText: #"{"must":[{"key":"tag1","match":{"value":"hit"}}]}"#))]
    }

    /// SplitMix64: which points carry a tag, independent of where their vectors lie.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
