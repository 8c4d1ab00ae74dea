import Testing
import VectorIndex
import VectorKernels

@Suite(.serialized) struct HNSWRecallTests {
    @Test("recall@10 >= 0.95 at ef=64 on 20k clustered 128-d L2 vectors")
    func euclidean128() throws {
        let corpus = TestData.clustered(count: 20_000, dimension: 128)
        let queries = TestData.clustered(count: 200, dimension: 128, stream: 1)
        let index = try TestData.build(corpus, metric: .l2)
        let truth = ExactSearch(corpus: corpus, metric: .l2).search(queries, k: 10)
        let recall = try TestData.recall(index, queries: queries, truth: truth, k: 10, ef: 64)
        #expect(recall >= 0.95, "recall@10 = \(recall)")
    }

    @Test("recall@10 >= 0.95 at ef=64 on 20k normalised 384-d cosine vectors")
    func cosine384() throws {
        let corpus = TestData.clustered(count: 20_000, dimension: 384, normalized: true)
        let queries = TestData.clustered(count: 200, dimension: 384, normalized: true, stream: 1)
        let index = try TestData.build(corpus, metric: .cosine)
        let truth = ExactSearch(corpus: corpus, metric: .cosine).search(queries, k: 10)
        let recall = try TestData.recall(index, queries: queries, truth: truth, k: 10, ef: 64)
        #expect(recall >= 0.95, "recall@10 = \(recall)")
    }

    @Test("dot-product indexes find the maximum inner products")
    func innerProduct() throws {
        let corpus = TestData.clustered(count: 5_000, dimension: 32)
        let queries = TestData.clustered(count: 100, dimension: 32, stream: 1)
        let index = try TestData.build(corpus, metric: .dot)
        let truth = ExactSearch(corpus: corpus, metric: .dot).search(queries, k: 10)
        let recall = try TestData.recall(index, queries: queries, truth: truth, k: 10, ef: 128)
        #expect(recall >= 0.9, "recall@10 = \(recall)")
    }

    @Test("a 2-thread build's recall is within 0.01 of a 1-thread build's")
    func threadedBuildMatchesSerial() throws {
        let corpus = TestData.clustered(count: 10_000, dimension: 64)
        let queries = TestData.clustered(count: 300, dimension: 64, stream: 1)
        let truth = ExactSearch(corpus: corpus, metric: .l2).search(queries, k: 10)
        let serial = try TestData.recall(TestData.build(corpus, metric: .l2, threads: 1), queries: queries, truth: truth, k: 10, ef: 32)
        let parallel = try TestData.recall(TestData.build(corpus, metric: .l2, threads: 2), queries: queries, truth: truth, k: 10, ef: 32)
        #expect(abs(serial - parallel) <= 0.01, "1 thread \(serial), 2 threads \(parallel)")
        #expect(serial > 0.8)
    }

    @Test("one-thread builds with the same seed give identical results; another seed differs")
    func deterministic() throws {
        let corpus = TestData.clustered(count: 3_000, dimension: 16)
        let queries = TestData.clustered(count: 50, dimension: 16, stream: 1)
        func results(seed: UInt64) throws -> [[Neighbor]] {
            let index = try TestData.build(corpus, metric: .l2, threads: 1, parameters: HNSWParameters(m: 8, efConstruction: 40, seed: seed))
            return try (0..<queries.count).map { try index.search(Array(queries.row($0)), k: 10, ef: 12) }
        }
        let first = try results(seed: 11)
        #expect(try results(seed: 11) == first)
        #expect(try results(seed: 12) != first)
    }
}
