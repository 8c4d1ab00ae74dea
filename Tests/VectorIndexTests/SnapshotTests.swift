import Foundation
import Testing
import VectorIndex
import VectorKernels

@Suite struct SnapshotTests {
    @Test("a snapshot reopens to an index that answers exactly as the original")
    func roundTrip() throws {
        let corpus = TestData.clustered(count: 4_000, dimension: 24, normalized: true)
        let queries = TestData.clustered(count: 50, dimension: 24, normalized: true, stream: 1)
        let original = try TestData.build(corpus, metric: .cosine)
        for id in stride(from: UInt32(0), to: 4_000, by: 11) { try original.delete(id: id) }
        let reopened = try HNSWIndex(snapshot: original.snapshot())
        #expect(reopened.count == original.count)
        #expect(reopened.liveCount == original.liveCount)
        #expect(reopened.parameters == original.parameters)
        for row in 0..<queries.count {
            let query = Array(queries.row(row))
            #expect(try reopened.search(query, k: 10, ef: 40) == original.search(query, k: 10, ef: 40))
        }
        // The reopened index keeps accepting writes.
        try reopened.insert(Array(queries.row(0)), id: 100_000)
        #expect(try reopened.search(Array(queries.row(0)), k: 1).first?.id == 100_000)
        #expect(!reopened.contains(id: 0))
    }

    @Test("corrupt or foreign bytes are refused with a clear error")
    func corruption() throws {
        let index = try TestData.build(TestData.clustered(count: 300, dimension: 8), metric: .l2)
        let bytes = index.snapshot()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: IndexError.corruptSnapshot("checksum mismatch")) { try HNSWIndex(snapshot: flipped) }
        #expect(throws: IndexError.self) { try HNSWIndex(snapshot: bytes.prefix(bytes.count - 100)) }
        #expect(throws: IndexError.corruptSnapshot("not an HNSW snapshot (bad magic number)")) {
            try HNSWIndex(snapshot: Data("hello world, this is not a graph".utf8))
        }
        #expect(throws: IndexError.self) { try HNSWIndex(snapshot: Data()) }
    }

    @Test("an empty index round-trips")
    func empty() throws {
        let index = try HNSWIndex(dimension: 5, metric: .dot)
        let reopened = try HNSWIndex(snapshot: index.snapshot())
        #expect(reopened.count == 0)
        #expect(try reopened.search([1, 2, 3, 4, 5], k: 3).isEmpty)
    }
}
