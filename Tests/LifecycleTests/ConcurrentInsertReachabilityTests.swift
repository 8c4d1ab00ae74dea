import Embeddings
import Foundation
import Testing
import VectorIndex
import VectorKernels

/// Two threads inserting into a tiny graph of real sentence embeddings once lost a node: a
/// node reached through an upper level and linked to before it had written its own level-0
/// list had that link overwritten, so the other node became unreachable (about one build in
/// 400 here). Every node must stay reachable, so ef >= n finds the exact answer every time.
@Suite struct ConcurrentInsertReachabilityTests {
    @Test("two-thread builds of 16 sentence embeddings reach every node, 500 times")
    func everyNodeReachable() throws {
        let embedder = try SentenceEmbedder(modelDirectory: ModelRegistryTests.modelDirectory)
        let values = try embedder.embed(ModelEvaluationTests.topics.flatMap(\.documents)).flatMap { $0 }
        for trial in 0 ..< 500 {
            let index = try HNSWIndex(dimension: 384, metric: .cosine, parameters: HNSWParameters(m: 16, efConstruction: 200, ef: 64))
            try index.insert(contentsOf: VectorMatrix(dimension: 384, values: values), ids: (0 ..< 16).map(UInt32.init), threads: 2)
            for id in UInt32(0) ..< 16 {
                let vector = try #require(index.vector(id: id))
                let found = try index.search(vector, k: 15, ef: 64, filter: { $0 != id }).count
                try #require(found == 15, "trial \(trial): a search from node \(id) reached \(found) of the 15 other nodes")
            }
        }
    }
}
