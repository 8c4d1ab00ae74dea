import ArgumentParser
import Embeddings
import Foundation
import Lifecycle
import VectorIndex

/// BM25 in-process, as a peer such as tantivy is measured: the same tokenizer, encoder and
/// inverted index the server uses for `qdrant/bm25`, without HTTP and JSON around them, one
/// query at a time on one thread.
struct SparseBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sparse",
        abstract: "Benchmark: in-process BM25 top-k (tokenize, encode, MaxScore search), one query at a time."
    )

    @Option(help: "Texts to index: JSON lines, one JSON string per line.") var texts: String
    @Option(help: "Queries: JSON lines, one JSON string per line.") var queries: String
    @Option(help: "Results per query.") var k: Int = 10
    @Option(help: "Passes over the queries (timings of every pass count).") var repeats: Int = 3
    @Option(help: "BM25 k1.") var k1: Float = 1.2
    @Option(help: "BM25 b.") var b: Float = 0.75
    @Flag(help: "Print one JSON object (with every query's top-k ids).") var json = false

    func run() throws {
        let documents = try Self.readLines(texts)
        let queryTexts = try Self.readLines(queries)
        let encoder = BM25Encoder()
        let index = SparseInvertedIndex()
        let progress = ProgressBar(label: "index", total: documents.count)
        let indexStart = ContinuousClock.now
        for (row, text) in documents.enumerated() {
            let terms = encoder.termFrequencies(text)
            try index.insert(id: UInt32(row), vector: try SparseVector(indices: terms.indices, values: terms.values), length: Float(terms.length))
            if row % 5_000 == 0 { progress.update(row) }
        }
        progress.update(documents.count)
        let indexSeconds = (ContinuousClock.now - indexStart).seconds
        let scoring = SparseScoring.bm25(k1: k1, b: b, averageLength: nil)

        var latencies: [Double] = []
        var top: [[UInt32]] = []
        for pass in 0 ..< max(repeats, 1) {
            for text in queryTexts {
                let start = ContinuousClock.now
                let terms = encoder.queryTerms(text)
                let hits = terms.indices.isEmpty ? [] : try index.search(try SparseVector(indices: terms.indices, values: terms.values), k: k, scoring: scoring)
                latencies.append((ContinuousClock.now - start).seconds)
                if pass == 0 { top.append(hits.map(\.id)) }
            }
        }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] * 1e3 }
        let total = latencies.reduce(0, +)
        let qps = Double(latencies.count) / total
        if json {
            let result: [String: Any] = [
                "documents": documents.count, "queries": queryTexts.count, "index_s": indexSeconds, "qps": qps,
                "mean_ms": total / Double(latencies.count) * 1e3, "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
                "top": top.map { $0.map(Int.init) },
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self))
        } else {
            print("indexed \(documents.count) texts in \(String(format: "%.1f", indexSeconds)) s")
            print("BM25 top-\(k): \(String(format: "%.0f", qps)) q/s, p50 \(String(format: "%.3f", percentile(0.5))) ms, p99 \(String(format: "%.3f", percentile(0.99))) ms")
        }
    }

    static func readLines(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            guard let text = try JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed) as? String else {
                throw ValidationError("\(path): every line must be one JSON string")
            }
            return text
        }
    }
}
