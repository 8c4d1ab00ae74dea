import Embeddings
import Foundation
import Testing

@Suite struct ConcurrencyTests {
    /// Eight tasks share one embedder, each with its own texts; the vectors
    /// must be bit-for-bit those of the same calls made one after another.
    @Test func concurrentCallersGetSequentialResults() async throws {
        let embedder = try TestSupport.embedder()
        let lines = try TestSupport.referenceLines().map(\.text)
        let workloads: [[String]] = (0..<8).map { task in
            (0..<6).map { lines[(task * 5 + $0 * 7) % lines.count] } + ["task \(task) says hello"]
        }
        var sequential: [[[Float]]] = []
        for texts in workloads {
            sequential.append(try embedder.embed(texts, batchSize: 4))
        }

        let concurrent = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (task, texts) in workloads.enumerated() {
                group.addTask {
                    var result: [[Float]] = []
                    // Several rounds so the calls really overlap.
                    for _ in 0..<3 { result = try embedder.embed(texts, batchSize: 4) }
                    return (task, result)
                }
            }
            var results = [[[Float]]](repeating: [], count: workloads.count)
            for try await (task, vectors) in group { results[task] = vectors }
            return results
        }
        for task in workloads.indices {
            #expect(concurrent[task] == sequential[task], "task \(task) differs from its sequential run")
        }
    }
}
