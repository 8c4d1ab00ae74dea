import Foundation
import Testing
import VectorIndex
import VectorKernels

/// A quantized graph whose float vectors are paged from a file answers exactly as the same
/// graph holding them in memory: the same neighbours and distances, vectors, exact scans and
/// image bytes, through inserts, deltas and the move back.
@Suite(.serialized) struct PagedVectorsTests {
    let dimension = 48

    private func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Two identical int8 graphs built on one thread (so their links match), one of them paged.
    private func twins(count: Int, metric: Metric, in directory: URL) throws -> (held: HNSWIndex, paged: HNSWIndex, corpus: VectorMatrix) {
        let corpus = TestData.clustered(count: count, dimension: dimension, normalized: metric == .cosine, seed: 11)
        let held = try TestData.build(corpus, metric: metric, threads: 1)
        let paged = try TestData.build(corpus, metric: metric, threads: 1)
        held.enableScalarQuantization()
        paged.placeVectors(.diskWhenQuantized(directory: directory))
        paged.enableScalarQuantization()
        return (held, paged, corpus)
    }

    private func expectSameAnswers(_ held: HNSWIndex, _ paged: HNSWIndex, queries: VectorMatrix, k: Int = 10) throws {
        for row in 0 ..< queries.count {
            let query = Array(queries.row(row))
            let search = QuantizedSearch(rescore: true, oversampling: 3)
            #expect(try paged.search(query, k: k, ef: 48, quantization: search) == held.search(query, k: k, ef: 48, quantization: search))
            #expect(try paged.exactSearch(query, k: k) == held.exactSearch(query, k: k))
            let among = (0 ..< 40).map { UInt32($0 * 7) }
            #expect(try paged.exactSearch(query, k: k, among: among) == held.exactSearch(query, k: k, among: among))
            #expect(try paged.search(query, k: k, ef: 48) == held.search(query, k: k, ef: 48))
        }
    }

    @Test(arguments: [Metric.cosine, .l2])
    func pagedVectorsAnswerAsHeldOnes(metric: Metric) throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (held, paged, corpus) = try twins(count: 3_000, metric: metric, in: directory)
        guard case .paged(let bytes) = paged.vectorResidence else {
            Issue.record("the vectors were not paged: \(paged.vectorResidence)")
            return
        }
        #expect(bytes >= corpus.count * dimension * 4)
        #expect(held.vectorResidence == .inGraph)
        // The records lost their vectors: the graph holds links and codes only.
        #expect(held.memoryBytes - paged.memoryBytes >= corpus.count * dimension * 4)
        // The file is unlinked as soon as it is open: nothing is left to clean up.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        let queries = TestData.clustered(count: 25, dimension: dimension, normalized: metric == .cosine, seed: 11, stream: 1)
        try expectSameAnswers(held, paged, queries: queries)
        for id in [0, 1_234, 2_999] as [UInt32] { #expect(paged.vector(id: id) == held.vector(id: id)) }
        // Images keep one layout: a paged graph's image is byte for byte the held one's.
        #expect(paged.snapshot() == held.snapshot())
    }

    @Test func insertsGrowthAndDeltasWorkOnPagedVectors() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (held, paged, _) = try twins(count: 1_500, metric: .l2, in: directory)
        _ = held.snapshotStartingChain()
        _ = paged.snapshotStartingChain()
        // Past the capacity the graph was built with: the file grows with the records.
        let more = TestData.clustered(count: 4_000, dimension: dimension, seed: 11, stream: 2)
        for row in 0 ..< more.count {
            let vector = Array(more.row(row))
            try held.insert(vector, id: UInt32(10_000 + row))
            try paged.insert(vector, id: UInt32(10_000 + row))
        }
        try held.delete(id: 3)
        try paged.delete(id: 3)
        #expect(paged.capacity > 1_500)
        guard case .paged = paged.vectorResidence else {
            Issue.record("growing brought the vectors back: \(paged.vectorResidence)")
            return
        }
        let queries = TestData.clustered(count: 15, dimension: dimension, seed: 11, stream: 3)
        try expectSameAnswers(held, paged, queries: queries)
        let delta = try #require(paged.deltaSnapshot())
        #expect(delta == held.deltaSnapshot())
        // A delta replays into a paged graph too.
        let base = try HNSWIndex(snapshot: try TestData.build(TestData.clustered(count: 1_500, dimension: dimension, seed: 11), metric: .l2, threads: 1).snapshotStartingChain())
        base.placeVectors(.diskWhenQuantized(directory: directory))
        base.enableScalarQuantization()
        try base.applyDelta(delta)
        try expectSameAnswers(paged, base, queries: queries)
    }

    @Test func withoutCodesTheVectorsComeBack() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (held, paged, _) = try twins(count: 1_200, metric: .cosine, in: directory)
        paged.disableQuantization()
        held.disableQuantization()
        #expect(paged.vectorResidence == .inGraph)
        #expect(paged.memoryBytes == held.memoryBytes)
        let queries = TestData.clustered(count: 10, dimension: dimension, normalized: true, seed: 11, stream: 1)
        for row in 0 ..< queries.count {
            let query = Array(queries.row(row))
            #expect(try paged.search(query, k: 10, ef: 32) == held.search(query, k: 10, ef: 32))
        }
        // Asked to stop paging, a quantized graph takes its vectors back at once.
        paged.enableScalarQuantization()
        guard case .paged = paged.vectorResidence else {
            Issue.record("codes came back without paging: \(paged.vectorResidence)")
            return
        }
        paged.placeVectors(.memory)
        #expect(paged.vectorResidence == .inGraph)
    }

    /// `on_disk: true`: the vectors stay in the file with no codes at all, the float walk reads
    /// them through its mapping, and codes coming and going do not bring them back.
    @Test(arguments: [Metric.cosine, .l2])
    func diskPlacementPagesAFloatGraph(metric: Metric) throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = TestData.clustered(count: 2_000, dimension: dimension, normalized: metric == .cosine, seed: 13)
        let held = try TestData.build(corpus, metric: metric, threads: 1)
        let paged = try TestData.build(corpus, metric: metric, threads: 1)
        paged.placeVectors(.disk(directory: directory))
        guard case .paged = paged.vectorResidence else {
            Issue.record("a float graph placed on disk kept its vectors: \(paged.vectorResidence)")
            return
        }
        #expect(held.memoryBytes - paged.memoryBytes >= corpus.count * dimension * 4)
        let more = TestData.clustered(count: 2_500, dimension: dimension, normalized: metric == .cosine, seed: 13, stream: 2)
        for row in 0 ..< more.count {
            try held.insert(Array(more.row(row)), id: UInt32(5_000 + row))
            try paged.insert(Array(more.row(row)), id: UInt32(5_000 + row))
        }
        let queries = TestData.clustered(count: 15, dimension: dimension, normalized: metric == .cosine, seed: 13, stream: 1)
        for row in 0 ..< queries.count {
            let query = Array(queries.row(row))
            #expect(try paged.search(query, k: 10, ef: 40) == held.search(query, k: 10, ef: 40))
            #expect(try paged.exactSearch(query, k: 10) == held.exactSearch(query, k: 10))
        }
        #expect(paged.snapshot() == held.snapshot())
        paged.enableScalarQuantization()
        paged.disableQuantization()
        guard case .paged = paged.vectorResidence else {
            Issue.record("dropping codes brought the vectors back: \(paged.vectorResidence)")
            return
        }
        // `on_disk: false`: codes or not, the vectors stay in the records.
        held.placeVectors(.memory)
        held.enableScalarQuantization()
        #expect(held.vectorResidence == .inGraph)
        paged.placeVectors(.memory)
        #expect(paged.vectorResidence == .inGraph)
        held.disableQuantization()
        #expect(paged.memoryBytes == held.memoryBytes)
        let query = Array(queries.row(0))
        #expect(try paged.search(query, k: 10, ef: 40) == held.search(query, k: 10, ef: 40))
    }

    @Test func aDirectoryThatCannotTakeTheFileKeepsTheVectorsAndSaysWhy() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        let corpus = TestData.clustered(count: 1_100, dimension: dimension, seed: 11)
        let index = try TestData.build(corpus, metric: .l2, threads: 1)
        index.placeVectors(.diskWhenQuantized(directory: missing))
        index.enableScalarQuantization()
        guard case .pagingFailed(let reason) = index.vectorResidence else {
            Issue.record("expected a paging failure, got \(index.vectorResidence)")
            return
        }
        #expect(reason.contains("cannot create a file") && reason.contains("stay in memory"))
        #expect(!reason.contains(missing.path))
        let found = try index.search(Array(corpus.row(5)), k: 1, quantization: QuantizedSearch())
        #expect(found.first?.id == 5)
    }
}
