import ArgumentParser
import Foundation
import Lifecycle
import VectorFormats
import VectorIndex
import VectorKernels

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Build an HNSW index from a base file and measure recall and QPS on a query file.",
        discussion: """
            Recall is recall@k against exact (BLAS) search; qps is single-thread queries per second, \
            one query at a time. With --json, one JSON object per ef value on standard output.
            """
    )

    @Option(help: "Base vectors (.npy float32 2-D, or .fvecs).") var base: String
    @Option(help: "Query vectors (.npy or .fvecs).") var queries: String
    @Option(help: "cosine, dot or l2.") var metric: String = "l2"
    @Option(help: "Neighbours to return per query.") var k: Int = 10
    @Option(help: "HNSW M (level 0 keeps 2M).") var m: Int = 16
    @Option(name: .customLong("ef-construct"), help: "Beam width while building.") var efConstruct: Int = 200
    @Option(help: "Comma-separated beam widths to measure.") var ef: String = "16,32,64,128"
    @Option(help: "Seed of the node levels: builds with different seeds show how much recall varies from graph to graph.") var seed: UInt64 = HNSWParameters().seed
    @Option(help: "Threads used to build.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Measure only the first N queries.") var maxQueries: Int?
    @Option(name: .customLong("repeat"), help: "Run the queries this many times per ef and keep the fastest run.") var repeats: Int = 1
    @Option(help: "none; int8: also walk the graph on 8-bit scalar codes (Qdrant's scalar int8); binary: on one bit per dimension. Both modes are reported.")
    var quantization: String = "none"
    @Option(help: "Quantile of the values the int8 range covers (1: all, as Qdrant by default).") var quantile: Double = 1
    @Flag(inversion: .prefixedNo, help: "Re-rank the quantized candidates on the float vectors.") var rescore = true
    @Option(name: .customLong("query-encoding"), help: "With binary: queries as bits (default), or scalar4bits / scalar8bits against the stored bits.")
    var queryEncoding: String = "default"
    @Option(help: "Candidates walked on codes per result (k x oversampling), as Qdrant's oversampling; a comma-separated list measures each.")
    var oversampling: String = "2"
    @Option(name: .customLong("page-vectors"), help: "Move the float vectors to an unlinked file in this directory (on a disk, not tmpfs), as a served collection does: with quantization they are read from there to rescore; without, the float walk reads them through the file's mapping (`on_disk: true`).")
    var pageVectors: String?
    @Flag(help: "Print one JSON object per ef value.") var json = false
    @Option(name: .customLong("load-graph"), help: "Search a graph written by --save-graph instead of building one (it must hold the base file's vectors): the same graph measured before and after a change to the search.") var loadGraph: String?
    @Option(name: .customLong("save-graph"), help: "After the build, write the index image here (the format `lodestone` reopens; tools/cross-search reads it into hnswlib).") var saveGraph: String?
    @Flag(name: .customLong("graph-stats"), help: "After the build, print the graph's shape: nodes per level, level-0 degree, nodes without in-links and nodes a level-0 walk from the entry point cannot reach.") var graphStats = false

    func run() throws {
        guard let metric = Metric(userSpelling: metric) else {
            throw ValidationError("--metric must be cosine, dot or l2, got '\(self.metric)'")
        }
        let efValues = try parseEfList()
        guard ["none", "int8", "binary"].contains(quantization) else {
            throw ValidationError("--quantization must be none, int8 or binary, got '\(quantization)'")
        }
        guard ["default", "binary", "scalar4bits", "scalar8bits"].contains(queryEncoding) else {
            throw ValidationError("--query-encoding must be default, scalar4bits or scalar8bits, got '\(queryEncoding)'")
        }
        let oversamplings = oversampling.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) ?? .nan }
        guard !oversamplings.isEmpty, oversamplings.allSatisfy({ (1 ... 1_000).contains($0) }), (0.5 ... 1).contains(quantile) else {
            throw ValidationError("--oversampling must be numbers in 1...1000 and --quantile between 0.5 and 1")
        }
        let baseFile = try VectorFile.read(URL(fileURLWithPath: base))
        var queryFile = try VectorFile.read(URL(fileURLWithPath: queries))
        guard baseFile.rows > 0 else { throw ValidationError("\(base) holds no vectors") }
        guard queryFile.dimension == baseFile.dimension else {
            throw ValidationError("\(queries) has dimension \(queryFile.dimension) but \(base) has \(baseFile.dimension)")
        }
        if let maxQueries, maxQueries < queryFile.rows {
            queryFile.values = Array(queryFile.values.prefix(maxQueries * queryFile.dimension))
            queryFile.rows = maxQueries
        }
        let corpus = VectorMatrix(dimension: baseFile.dimension, values: baseFile.values)
        let queryMatrix = VectorMatrix(dimension: queryFile.dimension, values: queryFile.values)

        // Measured before the index exists, so its whole footprint (allocation included) counts.
        let residentBeforeBuild = ResidentMemory.currentBytes()
        let buildStart = ContinuousClock.now
        let index = try loadGraph.map { try loadedIndex($0, metric: metric, corpus: corpus) } ?? buildIndex(corpus, metric: metric)
        let buildSeconds = (ContinuousClock.now - buildStart).seconds
        if graphStats { printGraphStatistics(index.graphStatistics()) }
        if let saveGraph { try index.snapshot().write(to: URL(fileURLWithPath: saveGraph)) }
        let indexResidentBytes = ResidentMemory.currentBytes() - residentBeforeBuild

        let truth = ExactSearch(corpus: corpus, metric: metric).search(queryMatrix, k: k).map { $0.map(\.id) }
        let floatBytes = index.memoryBytes
        var modes: [QuantizedSearch?] = [nil]
        var quantizeSeconds = 0.0
        if quantization != "none" {
            let start = ContinuousClock.now
            if let pageVectors { index.placeVectors(.diskWhenQuantized(directory: URL(fileURLWithPath: pageVectors))) }
            index.enableQuantization(quantization == "binary" ? .binary(queryEncoding: binaryQueryEncoding) : .scalar(quantile: quantile))
            quantizeSeconds = (ContinuousClock.now - start).seconds
            if case .pagingFailed(let reason) = index.vectorResidence { throw ValidationError("--page-vectors: \(reason)") }
            modes += oversamplings.map { QuantizedSearch(rescore: rescore, oversampling: $0) }
        } else if let pageVectors {
            // A collection created with `on_disk: true`: the float walk reads the file's mapping.
            index.placeVectors(.disk(directory: URL(fileURLWithPath: pageVectors)))
            if case .pagingFailed(let reason) = index.vectorResidence { throw ValidationError("--page-vectors: \(reason)") }
        }
        let rawBytes = corpus.count * corpus.dimension * MemoryLayout<Float>.stride
        // The index's resident share once quantized: paged vectors have left the graph's memory.
        let quantizedResidentBytes = ResidentMemory.currentBytes() - residentBeforeBuild
        if !json {
            print("n=\(corpus.count) dim=\(corpus.dimension) metric=\(metric.rawValue) M=\(m) ef_construct=\(efConstruct) threads=\(threads) isa=\(KernelISA.best.shortName) codes=\(codeKernel)")
            print(String(format: "build %.2f s, %.1f MiB graph+vectors (%.2fx the raw floats)", buildSeconds,
                         Double(floatBytes) / 1_048_576, Double(floatBytes) / Double(rawBytes)))
            if modes.count > 1 {
                let held = pageVectors == nil ? "float vectors still held for rescoring" : "float vectors paged from disk for rescoring"
                print(String(format: "\(quantization) codes in %.2f s: %.1f MiB accounted (%.2fx raw), resident growth %.2fx raw (\(held))", quantizeSeconds,
                             Double(index.memoryBytes) / 1_048_576, Double(index.memoryBytes) / Double(rawBytes),
                             Double(quantizedResidentBytes) / Double(rawBytes)))
            }
            if modes.count == 1, pageVectors != nil {
                print(String(format: "float vectors paged to disk (on_disk): resident growth %.2fx raw", Double(quantizedResidentBytes) / Double(rawBytes)))
            }
            print("   ef  " + "mode".padding(toLength: 22, withPad: " ", startingAt: 0) + "  recall@\(k)        qps")
        }
        for ef in efValues {
            for mode in modes {
                var (found, seconds) = try timedSearches(index, queryMatrix, ef: ef, quantization: mode)
                for _ in 1..<max(repeats, 1) {
                    let again = try timedSearches(index, queryMatrix, ef: ef, quantization: mode)
                    if again.1 < seconds { (found, seconds) = again }
                }
                let recall = Recall.atK(found: found, truth: truth, k: k)
                let qps = Double(queryMatrix.count) / seconds
                let label = mode.map { "\(quantization)\($0.rescore ? "+rescore" : "") x\(String(format: "%.1f", $0.oversampling))" } ?? (pageVectors == nil ? "float" : "float paged")
                if json {
                    let line: [String: Any] = [
                        "quantization": mode == nil ? "none" : quantization == "binary" && binaryQueryEncoding != .bits ? "binary-\(queryEncoding)" : quantization, "rescore": mode?.rescore ?? false,
                        "oversampling": mode?.oversampling ?? 1, "code_kernel": codeKernel,
                        "raw_bytes": rawBytes,
                        "ef": ef, "recall": rounded(recall, 4), "qps": rounded(qps, 1),
                        "build_seconds": rounded(buildSeconds, 3), "threads": threads,
                        "n": corpus.count, "dim": corpus.dimension, "k": k, "m": m,
                        "ef_construct": efConstruct, "metric": metric.rawValue,
                        "memory_bytes": index.memoryBytes, "float_memory_bytes": floatBytes, "index_rss_bytes": indexResidentBytes,
                        "quantized_index_rss_bytes": quantizedResidentBytes, "paged_vectors": pageVectors != nil,
                        "isa": KernelISA.best.shortName, "queries": queryMatrix.count,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(String(format: "%5d  ", ef) + label.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "  %9.4f  %9.1f", recall, qps))
                }
            }
        }
    }

    private func buildIndex(_ corpus: VectorMatrix, metric: Metric) throws -> HNSWIndex {
        let index = try HNSWIndex(
            dimension: corpus.dimension, metric: metric,
            parameters: HNSWParameters(m: m, efConstruction: efConstruct, seed: seed), capacity: corpus.count)
        let progress = ProgressBar(label: "build", total: corpus.count)
        try index.insert(contentsOf: corpus, ids: (0..<UInt32(corpus.count)).map { $0 }, threads: threads) { done in
            progress.update(done)
        }
        return index
    }

    private func loadedIndex(_ path: String, metric: Metric, corpus: VectorMatrix) throws -> HNSWIndex {
        let index = try HNSWIndex(snapshot: Data(contentsOf: URL(fileURLWithPath: path)))
        guard index.metric == metric, index.dimension == corpus.dimension, index.count == corpus.count else {
            throw ValidationError("--load-graph: \(path) holds \(index.count) \(index.dimension)-d \(index.metric.rawValue) vectors, not the base file's \(corpus.count) \(corpus.dimension)-d \(metric.rawValue)")
        }
        return index
    }

    private func printGraphStatistics(_ stats: GraphStatistics) {
        let levels = stats.nodesPerLevel.enumerated().map { "L\($0.offset) \($0.element)" }.joined(separator: ", ")
        print("graph: \(levels)")
        print(String(format: "level 0: mean degree %.2f of %d, %d lists full, %d nodes without in-links, %d unreachable from the entry point",
                     stats.meanBaseDegree, 2 * m, stats.fullBaseLists, stats.noBaseInLinks, stats.unreachableFromEntry))
    }

    private var binaryQueryEncoding: BinaryQueryEncoding {
        switch queryEncoding {
        case "scalar4bits": .scalar4
        case "scalar8bits": .scalar8
        default: .bits
        }
    }

    private var codeKernel: String {
        quantization == "binary" ? BitKernel.Level.best.description : CodeKernel.Level.best.description
    }

    /// One query at a time on this thread, as a single-client latency-bound workload.
    private func timedSearches(_ index: HNSWIndex, _ queries: VectorMatrix, ef: Int, quantization: QuantizedSearch?) throws -> ([[UInt32]], Double) {
        let rows = (0..<queries.count).map { Array(queries.row($0)) }
        var found: [[UInt32]] = []
        found.reserveCapacity(rows.count)
        let start = ContinuousClock.now
        for query in rows {
            if let quantization {
                found.append(try index.search(query, k: k, ef: ef, quantization: quantization).map(\.id))
            } else {
                found.append(try index.search(query, k: k, ef: ef).map(\.id))
            }
        }
        return (found, (ContinuousClock.now - start).seconds)
    }

    private func parseEfList() throws -> [Int] {
        let values = ef.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--ef must be a comma-separated list of positive integers, got '\(ef)'")
        }
        return values.compactMap { $0 }
    }

    private func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }
}
