import Testing
import VectorIndex
import VectorKernels

/// The id-to-slot table behind `contains`, `vector`, `delete` and the exact scan of given ids,
/// driven through the index with dense ids, ids far past the count (kept aside, then pulled
/// into the array as it grows) and deletions, against a dictionary of what was inserted.
@Suite struct SlotTableTests {
    @Test("dense, scattered and deleted ids resolve to the vectors inserted under them")
    func idsResolve() throws {
        let index = try HNSWIndex(dimension: 2, metric: .l2, parameters: HNSWParameters(m: 8, efConstruction: 32))
        var expected: [UInt32: [Float]] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0 ..< 3_000 {
            let id: UInt32 = step % 7 == 0 ? UInt32.random(in: 100_000 ... 3_000_000_000, using: &generator) : UInt32(step)
            guard expected[id] == nil else { continue }
            let vector: [Float] = [Float(step), Float(id % 1000)]
            try index.insert(vector, id: id)
            expected[id] = vector
            if step % 5 == 0, let victim = expected.keys.randomElement(using: &generator) {
                try index.delete(id: victim)
                expected.removeValue(forKey: victim)
                #expect(!index.contains(id: victim))
                #expect(index.vector(id: victim) == nil)
            }
        }
        for (id, vector) in expected {
            #expect(index.contains(id: id))
            #expect(index.vector(id: id) == vector)
        }
        #expect(!index.contains(id: 3_000_000_001))
        let ids = Array(expected.keys).sorted()
        let query: [Float] = [1_500, 500]
        let scanned = try index.exactSearch(query, k: ids.count + 10, among: ids + [3_000_000_001])
        #expect(Set(scanned.map(\.id)) == Set(ids))
    }
}
