import Foundation
import Testing
import VectorIndex
import VectorFormats

/// A Zipf-skewed sparse corpus kept beside the index, with a brute-force scorer that shares
/// no code with it: statistics are recounted from the live documents on every query.
struct SparseReference {
    enum Values { case weights, signedWeights, termFrequencies }

    static let vocabulary = 500
    /// Rank r has weight 1/(r+1); a few ranks appear in most documents, most in a few.
    static let cumulativeWeights: [Double] = {
        var total = 0.0
        return (0..<vocabulary).map { rank in total += 1 / Double(rank + 1); return total }
    }()

    /// Scattered, so dimension order is not frequency order.
    static func dimension(rank: Int) -> UInt32 { UInt32(rank * 7_919 % 100_003) }

    static func zipfRank(_ generator: inout SplitMix64) -> Int {
        let target = Double.random(in: 0..<cumulativeWeights[vocabulary - 1], using: &generator)
        var (low, high) = (0, vocabulary - 1)
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// 5–40 distinct weighted terms, or for term frequencies 5–60 tokens counted per term.
    static func document(_ generator: inout SplitMix64, values: Values) -> SparseVector {
        var entries: [UInt32: Float] = [:]
        if values == .termFrequencies {
            for _ in 0..<Int.random(in: 5...60, using: &generator) { entries[dimension(rank: zipfRank(&generator)), default: 0] += 1 }
        } else {
            let terms = Int.random(in: 5...40, using: &generator)
            while entries.count < terms {
                let range: ClosedRange<Float> = values == .weights ? 0.05...2 : -2...2
                entries[dimension(rank: zipfRank(&generator))] = Float.random(in: range, using: &generator)
            }
        }
        // Dictionary order is unsorted input, which the vector must sort.
        return try! SparseVector(indices: Array(entries.keys), values: entries.keys.map { entries[$0]! })
    }

    /// 2–6 terms, half drawn by frequency and half uniformly, so rare terms show up too.
    static func query(_ generator: inout SplitMix64, values: Values) -> SparseVector {
        var entries: [UInt32: Float] = [:]
        let terms = Int.random(in: 2...6, using: &generator)
        while entries.count < terms {
            let rank = Bool.random(using: &generator) ? zipfRank(&generator) : Int.random(in: 0..<vocabulary, using: &generator)
            let range: ClosedRange<Float> = values == .signedWeights ? -1.5...1.5 : 0.2...1.5
            entries[dimension(rank: rank)] = values == .termFrequencies ? 1 : Float.random(in: range, using: &generator)
        }
        return try! SparseVector(indices: Array(entries.keys), values: entries.keys.map { entries[$0]! })
    }

    var documents: [UInt32: (vector: SparseVector, length: Float)] = [:]

    /// Every third term-frequency document gets an explicit length (unindexed tokens on top).
    mutating func fill(_ index: SparseInvertedIndex, count: Int, values: Values, seed: UInt64, firstID: UInt32 = 0) throws {
        var generator = SplitMix64(seed: seed)
        for id in firstID..<(firstID + UInt32(count)) {
            let vector = SparseReference.document(&generator, values: values)
            let tokens = vector.values.reduce(0, +)
            let length: Float? = values == .termFrequencies && id % 3 == 0 ? tokens + Float(Int.random(in: 0...10, using: &generator)) : nil
            try index.insert(id: id, vector: vector, length: length)
            documents[id] = (vector, length ?? vector.values.reduce(0) { $0 + max($1, 0) })
        }
    }

    mutating func delete(_ id: UInt32, from index: SparseInvertedIndex) throws {
        try index.delete(id: id)
        documents[id] = nil
    }

    var averageLength: Double {
        documents.isEmpty ? 0 : documents.values.reduce(0) { $0 + Double($1.length) } / Double(documents.count)
    }

    /// n_t for each of `dimensions` that some live document holds.
    func documentFrequencies(_ dimensions: [UInt32]) -> [UInt32: Int] {
        let wanted = Set(dimensions)
        var holding: [UInt32: Int] = [:]
        for document in documents.values {
            for dimension in document.vector.indices where wanted.contains(dimension) { holding[dimension, default: 0] += 1 }
        }
        return holding
    }

    /// Every live document sharing a query dimension, best first, ties by smaller id.
    func ranking(_ query: SparseVector, scoring: SparseScoring, filter: ((UInt32) -> Bool)? = nil) -> [(id: UInt32, score: Double)] {
        let count = Double(documents.count)
        let queryValues = Dictionary(uniqueKeysWithValues: zip(query.indices, query.values.map(Double.init)))
        let idf = documentFrequencies(query.indices).mapValues { log((count - Double($0) + 0.5) / (Double($0) + 0.5) + 1) }
        let averageLength = averageLength
        var results: [(id: UInt32, score: Double)] = []
        for (id, document) in documents where filter?(id) ?? true {
            var shared = false
            var score = 0.0
            // Index loops rather than zip: debug builds run generic iterators slowly.
            for position in 0..<document.vector.count {
                let dimension = document.vector.indices[position]
                guard let q = queryValues[dimension] else { continue }
                shared = true
                let value = Double(document.vector.values[position])
                switch scoring {
                case .dot: score += q * value
                case .idf: score += q * idf[dimension]! * value
                case let .bm25(k1, b, given):
                    let average = given.map(Double.init) ?? averageLength
                    let ratio = average > 0 ? Double(document.length) / average : 1
                    let (k1, b) = (Double(k1), Double(b))
                    if value > 0 { score += q * idf[dimension]! * value * (k1 + 1) / (value + k1 * (1 - b + b * ratio)) }
                }
            }
            if shared { results.append((id, score)) }
        }
        return results.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
    }
}

@Suite struct SparseInvertedIndexTests {
    static let scorings: [SparseScoring] = [.dot, .idf, .bm25(k1: 1.2, b: 0.75, averageLength: nil), .bm25(k1: 0.9, b: 0.4, averageLength: 12)]

    static func values(for scoring: SparseScoring) -> SparseReference.Values {
        if case .bm25 = scoring { return .termFrequencies }
        return .weights
    }

    /// Scores agree to a relative 1e-4; ids may differ only where the true scores tie within it.
    func expectMatches(_ found: [SparseHit], _ ranking: [(id: UInt32, score: Double)], k: Int, _ context: String) {
        func close(_ a: Float, _ b: Double) -> Bool { abs(Double(a) - b) <= 1e-4 * max(1, abs(b)) }
        #expect(found.count == min(k, ranking.count), "\(context): \(found.count) hits")
        let truth = Dictionary(uniqueKeysWithValues: ranking.map { ($0.id, $0.score) })
        for (position, hit) in found.enumerated() where position < ranking.count {
            #expect(close(hit.score, ranking[position].score), "\(context) rank \(position): \(hit) vs \(ranking[position])")
            #expect(truth[hit.id].map { close(hit.score, $0) } == true, "\(context): \(hit) is not a candidate with that score")
        }
        #expect(Set(found.map(\.id)).count == found.count, "\(context): repeated id")
        #expect(zip(found, found.dropFirst()).allSatisfy { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) })
    }

    func makeQueries(_ count: Int, values: SparseReference.Values, seed: UInt64 = 99) -> [SparseVector] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in SparseReference.query(&generator, values: values) }
    }

    @Test("top-k equals a brute-force scorer for k = 1, 10, 100, before and after deleting a third", arguments: scorings)
    func matchesBruteForce(scoring: SparseScoring) throws {
        let values = Self.values(for: scoring)
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 3_000, values: values, seed: 1)
        let queries = makeQueries(15, values: values)
        for (number, query) in queries.enumerated() {
            let ranking = reference.ranking(query, scoring: scoring)
            for k in [1, 10, 100] {
                let hits = try index.search(query, k: k, scoring: scoring)
                expectMatches(hits, ranking, k: k, "\(scoring) k=\(k) query \(number)")
                for hit in hits.prefix(3) { #expect(try index.score(id: hit.id, query: query, scoring: scoring) == hit.score) }
            }
        }
        for id in UInt32(0)..<3_000 where id % 5 == 0 || id % 7 == 3 { try reference.delete(id, from: index) }
        #expect(index.liveCount == reference.documents.count)
        #expect(abs(Double(index.averageLength) - reference.averageLength) <= 1e-4 * reference.averageLength)
        for (number, query) in queries.enumerated() {
            let frequencies = reference.documentFrequencies(query.indices)
            for dimension in query.indices { #expect(index.documentFrequency(of: dimension) == frequencies[dimension, default: 0]) }
            let ranking = reference.ranking(query, scoring: scoring)
            for k in [1, 10, 100] {
                expectMatches(try index.search(query, k: k, scoring: scoring), ranking, k: k, "\(scoring) k=\(k) query \(number) after deletions")
            }
        }
        #expect(try index.score(id: 0, query: queries[0], scoring: scoring) == nil)
    }

    @Test("a filter restricts results exactly, and one that matches nothing returns nothing", arguments: scorings)
    func filtered(scoring: SparseScoring) throws {
        let values = Self.values(for: scoring)
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 3_000, values: values, seed: 2)
        let accept: (UInt32) -> Bool = { ($0 &* 2_654_435_761) % 10 < 3 }
        for (number, query) in makeQueries(15, values: values).enumerated() {
            let hits = try index.search(query, k: 10, scoring: scoring, filter: accept)
            #expect(hits.allSatisfy { accept($0.id) })
            expectMatches(hits, reference.ranking(query, scoring: scoring, filter: accept), k: 10, "\(scoring) filtered query \(number)")
            #expect(try index.search(query, k: 10, scoring: scoring, filter: { _ in false }).isEmpty)
        }
    }

    @Test("negative query and document values rank exactly, negative scores included")
    func negativeValues() throws {
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 3_000, values: .signedWeights, seed: 3)
        for (number, query) in makeQueries(20, values: .signedWeights).enumerated() {
            let ranking = reference.ranking(query, scoring: .dot)
            for k in [1, 10, 100, 5_000] {
                expectMatches(try index.search(query, k: k, scoring: .dot), ranking, k: k, "signed k=\(k) query \(number)")
            }
        }
    }

    @Test("equal scores come back by smaller id, and zero-scoring documents still count as matches")
    func ties() throws {
        let index = SparseInvertedIndex()
        let shared = try SparseVector(indices: [1, 2, 3], values: [1, 2, 3])
        for id in UInt32(100)..<130 { try index.insert(id: id * 7 % 30 + 100, vector: shared) }
        try index.insert(id: 5, vector: SparseVector(indices: [9], values: [4]))
        for scoring in Self.scorings {
            let hits = try index.search(try SparseVector(indices: [2, 3], values: [1, 1]), k: 10, scoring: scoring)
            #expect(hits.map(\.id) == Array(100..<110), "\(scoring)")
            #expect(Set(hits.map(\.score)).count == 1)
        }
        // Document 5 shares only a dimension the query weighs 0: it still comes back, scoring 0.
        let hits = try index.search(try SparseVector(indices: [1, 9], values: [-1, 0]), k: 100, scoring: .dot)
        #expect(hits.count == 31)
        #expect(hits.first == SparseHit(id: 5, score: 0))
        #expect(hits.dropFirst().allSatisfy { $0.score == -1 })
    }

    @Test("heavy churn: deleting most documents and reusing their ids keeps results exact")
    func churn() throws {
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 2_000, values: .termFrequencies, seed: 4)
        for id in UInt32(0)..<2_000 where id % 10 != 0 { try reference.delete(id, from: index) }
        var generator = SplitMix64(seed: 44)
        for id in stride(from: UInt32(1), to: 2_000, by: 4) {
            let vector = SparseReference.document(&generator, values: .termFrequencies)
            try index.insert(id: id, vector: vector)
            reference.documents[id] = (vector, vector.values.reduce(0, +))
            #expect(index.vector(id: id) == vector)
        }
        #expect(index.liveCount == reference.documents.count)
        for scoring in Self.scorings {
            for (number, query) in makeQueries(10, values: .termFrequencies).enumerated() {
                expectMatches(try index.search(query, k: 10, scoring: scoring), reference.ranking(query, scoring: scoring), k: 10, "\(scoring) churn \(number)")
            }
        }
    }

    @Test("MaxScore scores fewer postings than the query's lists hold on a skewed corpus", arguments: scorings.dropFirst())
    func pruning(scoring: SparseScoring) throws {
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 3_000, values: .termFrequencies, seed: 5)
        // The most frequent term (in most documents, so worth little) beside two mid-frequency ones.
        let query = try SparseVector(indices: [0, 30, 70].map(SparseReference.dimension(rank:)), values: [1, 1, 1])
        let outcome = try index.searchMeasuringWork(query, k: 10, scoring: scoring)
        #expect(outcome.scoredPostings < outcome.queryPostings, "\(scoring): scored \(outcome.scoredPostings) of \(outcome.queryPostings)")
        #expect(outcome.queryPostings == query.indices.reduce(0) { $0 + index.documentFrequency(of: $1) })
        expectMatches(outcome.hits, reference.ranking(query, scoring: scoring), k: 10, "\(scoring) pruned")
    }

    @Test("a snapshot reopens to an index that answers exactly as the original")
    func snapshotRoundTrip() throws {
        let original = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(original, count: 2_000, values: .termFrequencies, seed: 6)
        for id in stride(from: UInt32(0), to: 2_000, by: 3) { try reference.delete(id, from: original) }
        let reopened = try SparseInvertedIndex(snapshot: original.snapshot())
        #expect(reopened.liveCount == original.liveCount)
        #expect(reopened.averageLength == original.averageLength)
        for scoring in Self.scorings {
            for query in makeQueries(10, values: .termFrequencies) {
                #expect(try reopened.search(query, k: 10, scoring: scoring) == original.search(query, k: 10, scoring: scoring))
                for dimension in query.indices { #expect(reopened.documentFrequency(of: dimension) == original.documentFrequency(of: dimension)) }
            }
        }
        #expect(reopened.vector(id: 1) == original.vector(id: 1))
        #expect(!reopened.contains(id: 0))
        try reopened.insert(id: 0, vector: SparseVector(indices: [77_777], values: [3]))
        #expect(try reopened.search(SparseVector(indices: [77_777], values: [1]), k: 1, scoring: .idf).first?.id == 0)
        let empty = try SparseInvertedIndex(snapshot: SparseInvertedIndex().snapshot())
        #expect(empty.liveCount == 0)
        #expect(try empty.search(SparseVector(indices: [1], values: [1]), k: 3, scoring: .bm25(k1: 1.2, b: 0.75, averageLength: nil)).isEmpty)
    }

    @Test("corrupt, truncated or foreign bytes are refused with a clear error")
    func snapshotCorruption() throws {
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 200, values: .weights, seed: 7)
        let bytes = index.snapshot()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: IndexError.corruptSnapshot("checksum mismatch")) { try SparseInvertedIndex(snapshot: flipped) }
        for cut in [1, 9, bytes.count / 2, bytes.count - 30] {
            #expect(throws: IndexError.self) { try SparseInvertedIndex(snapshot: bytes.prefix(cut)) }
        }
        #expect(throws: IndexError.corruptSnapshot("not a sparse index snapshot (bad magic number)")) {
            try SparseInvertedIndex(snapshot: Data("hello world, this is not an index at all".utf8))
        }
        #expect(throws: IndexError.self) { try SparseInvertedIndex(snapshot: Data()) }
        // Bytes that pass the checksum but were written wrong must still be refused, not trusted.
        func resealed(_ edit: (inout Data) -> Void) -> Data {
            var data = bytes
            edit(&data)
            let checksum = SnapshotChecksum.of(data.prefix(data.count - 8)).littleEndian
            withUnsafeBytes(of: checksum) { data.replaceSubrange((data.count - 8)..., with: $0) }
            return data
        }
        let nanValue = resealed { data in data.replaceSubrange((data.count - 12)..<(data.count - 8), with: [0x00, 0x00, 0xC0, 0x7F]) }
        let hugeCount = resealed { data in data[19] = 0x01 }
        for forged in [nanValue, hugeCount] {
            let error = #expect(throws: IndexError.self) { try SparseInvertedIndex(snapshot: forged) }
            guard case .corruptSnapshot? = error else { Issue.record("expected corruptSnapshot, got \(String(describing: error))"); continue }
        }
    }

    @Test("sparse vectors sort their pairs and refuse duplicate, non-finite or unpaired entries")
    func vectorValidation() throws {
        let unsorted = try SparseVector(indices: [9, 2, 5], values: [0.9, 0.2, 0.5])
        #expect(unsorted.indices == [2, 5, 9])
        #expect(unsorted.values == [0.2, 0.5, 0.9])
        #expect(unsorted == (try SparseVector(indices: [2, 5, 9], values: [0.2, 0.5, 0.9])))
        #expect(unsorted.dot(try SparseVector(indices: [5, 1, 9], values: [2, 7, -1])) == 0.5 * 2 - 0.9)
        #expect(SparseVector().isEmpty && !unsorted.isEmpty)
        let duplicate = #expect(throws: IndexError.self) { try SparseVector(indices: [4, 1, 4], values: [1, 2, 3]) }
        guard case .invalidParameter(name: "indices", _)? = duplicate else { Issue.record("duplicate: \(String(describing: duplicate))"); return }
        let unpaired = #expect(throws: IndexError.self) { try SparseVector(indices: [1, 2], values: [1]) }
        guard case .invalidParameter(name: "values", _)? = unpaired else { Issue.record("unpaired: \(String(describing: unpaired))"); return }
        #expect(throws: IndexError.nonFiniteValue(position: 1)) { try SparseVector(indices: [1, 2], values: [1, .nan]) }
        #expect(throws: IndexError.nonFiniteValue(position: 0)) { try SparseVector(indices: [1, 2], values: [-.infinity, 1]) }
    }

    @Test("bad writes and bad scoring parameters are refused with a specific error")
    func badInput() throws {
        let index = SparseInvertedIndex()
        let vector = try SparseVector(indices: [1, 2], values: [1, 1])
        try index.insert(id: 3, vector: vector)
        #expect(throws: IndexError.duplicateID(3)) { try index.insert(id: 3, vector: vector) }
        #expect(throws: IndexError.unknownID(4)) { try index.delete(id: 4) }
        #expect(throws: IndexError.self) { try index.insert(id: 4, vector: vector, length: -1) }
        #expect(throws: IndexError.self) { try index.insert(id: 4, vector: vector, length: .nan) }
        for bad in [SparseScoring.bm25(k1: -1, b: 0.75, averageLength: nil), .bm25(k1: 1.2, b: 1.5, averageLength: nil), .bm25(k1: 1.2, b: 0.75, averageLength: 0)] {
            #expect(throws: IndexError.self) { try index.search(vector, k: 1, scoring: bad) }
        }
        #expect(index.liveCount == 1 && index.memoryBytes > 0)
    }

    @Test("searches run while a writer inserts and deletes, and the end state is exact")
    func concurrentReadersAndWriter() async throws {
        let index = SparseInvertedIndex()
        var reference = SparseReference()
        try reference.fill(index, count: 1_000, values: .weights, seed: 8)
        var generator = SplitMix64(seed: 88)
        let additions = (UInt32(1_000)..<2_000).map { ($0, SparseReference.document(&generator, values: .weights)) }
        let queries = makeQueries(20, values: .weights)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for (id, vector) in additions {
                    try? index.insert(id: id, vector: vector)
                    if id % 3 == 0 { try? index.delete(id: id - 1_000) }
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    for query in queries + queries {
                        let hits = (try? index.search(query, k: 10, scoring: .idf)) ?? []
                        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
                    }
                }
            }
        }
        for (id, vector) in additions {
            reference.documents[id] = (vector, vector.values.reduce(0, +))
            if id % 3 == 0 { reference.documents[id - 1_000] = nil }
        }
        for query in queries {
            expectMatches(try index.search(query, k: 10, scoring: .idf), reference.ranking(query, scoring: .idf), k: 10, "after concurrent writes")
        }
    }
}
