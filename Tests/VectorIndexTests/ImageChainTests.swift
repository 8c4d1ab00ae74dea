import Foundation
import Testing
import VectorIndex
import VectorKernels

@Suite struct ImageChainTests {
    /// Inserts rows `range` of `corpus` under their row numbers, on two threads.
    private func insert(_ corpus: VectorMatrix, rows range: Range<Int>, into index: HNSWIndex) throws {
        let values = range.flatMap { Array(corpus.row($0)) }
        try index.insert(contentsOf: VectorMatrix(dimension: corpus.dimension, values: values), ids: range.map { UInt32($0) }, threads: 2)
    }

    @Test("a full image plus its deltas reopens to exactly the graph that took them")
    func deltasReplayExactly() throws {
        let corpus = TestData.clustered(count: 6_000, dimension: 16)
        let live = try HNSWIndex(dimension: 16, metric: .l2)
        try insert(corpus, rows: 0..<3_000, into: live)
        let full = live.snapshotStartingChain()

        var deltas: [Data] = []
        try insert(corpus, rows: 3_000..<4_500, into: live)
        for id in stride(from: UInt32(0), to: 4_500, by: 7) { try live.delete(id: id) }
        deltas.append(try #require(live.deltaSnapshot()))
        try insert(corpus, rows: 4_500..<6_000, into: live)
        for id in stride(from: UInt32(3), to: 6_000, by: 13) where live.contains(id: id) { try live.delete(id: id) }
        deltas.append(try #require(live.deltaSnapshot()))
        // Nothing changed since: a delta of nothing still replays.
        deltas.append(try #require(live.deltaSnapshot()))

        let reopened = try HNSWIndex(snapshot: full)
        for delta in deltas { try reopened.applyDelta(delta) }
        // Byte for byte: the same nodes, links, flags, vectors and entry point.
        #expect(reopened.snapshot() == live.snapshot())
        #expect(reopened.liveCount == live.liveCount)
        #expect(!reopened.contains(id: 7) && reopened.contains(id: 8))
        let query = Array(corpus.row(42))
        #expect(try reopened.search(query, k: 10) == live.search(query, k: 10))
        // The reopened index continues the chain: its next delta applies to the same images.
        try reopened.insert(Array(corpus.row(1)).map { $0 + 0.5 }, id: 90_000)
        let next = try #require(reopened.deltaSnapshot())
        let again = try HNSWIndex(snapshot: full)
        for delta in deltas + [next] { try again.applyDelta(delta) }
        #expect(again.snapshot() == reopened.snapshot())
    }

    @Test("a delta is far smaller than a full image after a small batch")
    func deltaIsSmall() throws {
        let corpus = TestData.clustered(count: 10_500, dimension: 64)
        let live = try HNSWIndex(dimension: 64, metric: .l2)
        try insert(corpus, rows: 0..<10_000, into: live)
        let full = live.snapshotStartingChain()
        try insert(corpus, rows: 10_000..<10_500, into: live)
        let delta = try #require(live.deltaSnapshot())
        #expect(delta.count * 4 < full.count)
    }

    @Test("a delta out of order, of another graph, or corrupt is refused before it changes anything")
    func refusals() throws {
        let corpus = TestData.clustered(count: 2_000, dimension: 8)
        let live = try HNSWIndex(dimension: 8, metric: .l2)
        #expect(live.deltaSnapshot() == nil)
        try insert(corpus, rows: 0..<1_000, into: live)
        let full = live.snapshotStartingChain()
        try insert(corpus, rows: 1_000..<1_500, into: live)
        let first = try #require(live.deltaSnapshot())
        try insert(corpus, rows: 1_500..<2_000, into: live)
        let second = try #require(live.deltaSnapshot())

        let reopened = try HNSWIndex(snapshot: full)
        let before = reopened.snapshot()
        #expect(throws: IndexError.corruptSnapshot("the delta does not follow this index's last image")) { try reopened.applyDelta(second) }
        var flipped = first
        flipped[first.count / 2] ^= 0x10
        #expect(throws: IndexError.corruptSnapshot("checksum mismatch")) { try reopened.applyDelta(flipped) }
        #expect(throws: IndexError.self) { try reopened.applyDelta(full) }
        #expect(reopened.snapshot() == before)
        try reopened.applyDelta(first)
        try reopened.applyDelta(second)
        #expect(reopened.snapshot() == live.snapshot())

        // A broken chain has no delta to give: the next image must be full.
        live.breakChain()
        #expect(live.deltaSnapshot() == nil)
    }
}
