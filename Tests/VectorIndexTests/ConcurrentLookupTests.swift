import Dispatch
import Synchronization
import Testing
import VectorIndex
import VectorKernels

/// Lookups racing inserts: while an id is being linked it has a placeholder, not a slot, and
/// `contains`, `vector(id:)` and `delete(id:)` must treat it as absent instead of indexing the
/// graph with it (a recall check samples points that a concurrent write may be inserting).
@Suite struct ConcurrentLookupTests {
    static let dimension = 16

    static func vector(_ id: UInt32) -> [Float] {
        (0..<dimension).map { Float((Int(id) &* 31 &+ $0 &* 7) % 97) / 97 + 0.01 }
    }

    @Test("contains, vector(id:) and delete(id:) during concurrent inserts see only linked points")
    func lookupsRacingInserts() throws {
        let index = try HNSWIndex(dimension: Self.dimension, metric: .l2, parameters: HNSWParameters(m: 8, efConstruction: 32))
        let count = 6_000
        let inserted = Atomic<Int>(0)
        let deleted = Mutex<Set<UInt32>>([])
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker < 2 {
                for id in stride(from: UInt32(worker), to: UInt32(count), by: 2) {
                    try? index.insert(Self.vector(id), id: id)
                    inserted.add(1, ordering: .releasing)
                }
                return
            }
            var probe: UInt32 = 0
            while inserted.load(ordering: .acquiring) < count {
                // Probe just ahead of the inserts, where placeholders are.
                let frontier = UInt32(inserted.load(ordering: .acquiring))
                for id in frontier..<min(frontier + 8, UInt32(count)) {
                    if let stored = index.vector(id: id), stored != Self.vector(id) { mismatches.add(1, ordering: .relaxed) }
                    _ = index.contains(id: id)
                }
                probe = (probe &+ 2_654_435_761) % UInt32(count)
                let target = min(frontier + probe % 4, UInt32(count - 1))
                if target % 5 == 0, (try? index.delete(id: target)) != nil { deleted.withLock { _ = $0.insert(target) } }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
        let gone = deleted.withLock { $0 }
        for id in 0..<UInt32(count) {
            #expect(index.contains(id: id) == !gone.contains(id), "id \(id)")
        }
        #expect(index.liveCount == count - gone.count)
    }
}
