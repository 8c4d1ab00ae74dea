import Dispatch
import Synchronization
import Testing
import VectorIndex
import VectorKernels

@Suite struct HNSWBehaviourTests {
    @Test("deleted points are never returned and the rest stays findable")
    func deletions() throws {
        let corpus = TestData.clustered(count: 8_000, dimension: 32)
        let queries = TestData.clustered(count: 200, dimension: 32, stream: 1)
        let index = try TestData.build(corpus, metric: .l2)
        let deleted = Set((0..<UInt32(8_000)).filter { $0 % 3 == 0 })
        for id in deleted { try index.delete(id: id) }
        #expect(index.liveCount == 8_000 - deleted.count)
        let truth = ExactSearch(corpus: corpus, metric: .l2).search(queries, k: 10) { !deleted.contains($0) }
        var found: [[UInt32]] = []
        for row in 0..<queries.count {
            let hits = try index.search(Array(queries.row(row)), k: 10, ef: 64).map(\.id)
            #expect(hits.allSatisfy { !deleted.contains($0) })
            #expect(hits.count == 10)
            found.append(hits)
        }
        let recall = Recall.atK(found: found, truth: truth.map { $0.map(\.id) }, k: 10)
        #expect(recall >= 0.9, "recall after deleting a third: \(recall)")
        #expect(!index.contains(id: 0))
        #expect(index.contains(id: 1))
    }

    @Test("filtered search returns only matching ids, with recall@10 >= 0.90 at 10% selectivity")
    func filtered() throws {
        let corpus = TestData.clustered(count: 20_000, dimension: 64)
        let queries = TestData.clustered(count: 200, dimension: 64, stream: 1)
        let index = try TestData.build(corpus, metric: .l2)
        // A pseudo-random 10% subset, uncorrelated with clusters and insertion order.
        let accept: (UInt32) -> Bool = { ($0 &* 2_654_435_761) % 10 == 0 }
        let truth = ExactSearch(corpus: corpus, metric: .l2).search(queries, k: 10, accept: accept)
        var found: [[UInt32]] = []
        for row in 0..<queries.count {
            let hits = try index.search(Array(queries.row(row)), k: 10, ef: 64, filter: accept).map(\.id)
            #expect(hits.allSatisfy(accept))
            found.append(hits)
        }
        let recall = Recall.atK(found: found, truth: truth.map { $0.map(\.id) }, k: 10)
        #expect(recall >= 0.90, "filtered recall@10 = \(recall)")
    }

    @Test("a filter that matches nothing returns nothing")
    func emptyFilter() throws {
        let index = try TestData.build(TestData.clustered(count: 500, dimension: 8), metric: .l2)
        #expect(try index.search([Float](repeating: 0, count: 8), k: 5, filter: { _ in false }).isEmpty)
    }

    @Test("bad input is refused with a specific error and changes nothing")
    func badInput() throws {
        let index = try HNSWIndex(dimension: 4, metric: .l2)
        try index.insert([1, 2, 3, 4], id: 7)
        #expect(throws: IndexError.dimensionMismatch(expected: 4, actual: 3)) { try index.insert([1, 2, 3], id: 8) }
        #expect(throws: IndexError.nonFiniteValue(position: 1)) { try index.insert([1, .nan, 3, 4], id: 8) }
        #expect(throws: IndexError.nonFiniteValue(position: 3)) { try index.insert([1, 2, 3, .infinity], id: 8) }
        #expect(throws: IndexError.duplicateID(7)) { try index.insert([4, 3, 2, 1], id: 7) }
        #expect(throws: IndexError.unknownID(99)) { try index.delete(id: 99) }
        #expect(throws: IndexError.dimensionMismatch(expected: 4, actual: 2)) { try index.search([1, 2], k: 1) }
        #expect(throws: IndexError.self) { try HNSWIndex(dimension: 0, metric: .l2) }
        #expect(throws: IndexError.self) { try HNSWIndex(dimension: 4, metric: .l2, parameters: HNSWParameters(m: 1)) }
        #expect(index.count == 1)
        #expect(try index.search([1, 2, 3, 4], k: 3).map(\.id) == [7])
        #expect(index.vector(id: 7) == [1, 2, 3, 4])
    }

    @Test("the graph grows past its initial capacity")
    func growth() throws {
        let corpus = TestData.clustered(count: 3_000, dimension: 12)
        let index = try HNSWIndex(dimension: 12, metric: .cosine, capacity: 4)
        try index.insert(contentsOf: corpus, ids: (0..<UInt32(3_000)).map { $0 &* 3 }, threads: 2)
        #expect(index.count == 3_000)
        #expect(index.capacity >= 3_000)
        let nearest = try index.search(Array(corpus.row(1234)), k: 1, ef: 64).first
        let expectedID: UInt32 = 1234 * 3
        #expect(nearest?.id == expectedID)
        #expect(nearest.map { $0.distance < 1e-5 } == true)
    }

    @Test("searches running during concurrent inserts return only inserted ids")
    func searchWhileInserting() throws {
        let corpus = TestData.clustered(count: 6_000, dimension: 16)
        let index = try HNSWIndex(dimension: 16, metric: .l2, capacity: 8)
        let inserted = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker == 0 {
                for row in 0..<6_000 {
                    try? index.insert(Array(corpus.row(row)), id: UInt32(row))
                    inserted.store(row + 1, ordering: .releasing)
                }
            } else {
                var round = 0
                while inserted.load(ordering: .acquiring) < 6_000 {
                    let query = Array(corpus.row((round * 37) % 6_000))
                    let hits = (try? index.search(query, k: 10, ef: 32)) ?? []
                    let bound = UInt32(inserted.load(ordering: .acquiring) + 1)
                    if hits.contains(where: { $0.id > bound }) { failures.add(1, ordering: .relaxed) }
                    round += 1
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(index.count == 6_000)
    }

    @Test("an empty index returns no results")
    func emptyIndex() throws {
        let index = try HNSWIndex(dimension: 3, metric: .dot)
        #expect(try index.search([1, 2, 3], k: 10).isEmpty)
    }
}
