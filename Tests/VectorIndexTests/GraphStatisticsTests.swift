import Foundation
import Testing
import VectorIndex
import VectorKernels

@Suite struct GraphStatisticsTests {
    @Test("up to M + 1 nodes form a complete graph: degree n - 1, every node linked to and reachable")
    func completeGraph() throws {
        // With no more candidates than M the heuristic keeps them all, so each insert links to
        // every earlier node and every earlier node links back (2M leaves room for all).
        let corpus = TestData.clustered(count: 17, dimension: 8)
        let index = try TestData.build(corpus, metric: .l2, threads: 1, parameters: HNSWParameters(m: 16))
        let stats = index.graphStatistics()
        #expect(stats.nodesPerLevel.first == 17)
        #expect(stats.meanBaseDegree == 16)
        #expect(stats.fullBaseLists == 0)
        #expect(stats.noBaseInLinks == 0)
        #expect(stats.unreachableFromEntry == 0)
    }

    @Test("an empty index and a one-node index have nothing to count")
    func tinyIndexes() throws {
        let empty = try HNSWIndex(dimension: 4, metric: .l2)
        let none = empty.graphStatistics()
        #expect(none.nodesPerLevel == [0])
        #expect(none.meanBaseDegree == 0 && none.fullBaseLists == 0 && none.noBaseInLinks == 0 && none.unreachableFromEntry == 0)
        try empty.insert([1, 2, 3, 4], id: 9)
        let one = empty.graphStatistics()
        #expect(one.nodesPerLevel.first == 1)
        // The lone node has no in-links but is the entry point, so a walk reaches it.
        #expect(one.noBaseInLinks == 1)
        #expect(one.unreachableFromEntry == 0)
    }

    @Test("levels thin out by 1/M per level and a clustered build leaves almost every node reachable")
    func clusteredBuild() throws {
        let count = 20_000
        let corpus = TestData.clustered(count: count, dimension: 32)
        let index = try TestData.build(corpus, metric: .l2, parameters: HNSWParameters(m: 16))
        let stats = index.graphStatistics()
        #expect(stats.nodesPerLevel[0] == count)
        // Level >= 1 with probability 1/M: 1250 expected, standard deviation about 34.
        let expected = Double(count) / 16
        #expect(abs(Double(stats.nodesPerLevel[1]) - expected) < 5 * expected.squareRoot(), "level 1 holds \(stats.nodesPerLevel[1])")
        #expect(zip(stats.nodesPerLevel, stats.nodesPerLevel.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(stats.meanBaseDegree > 8 && stats.meanBaseDegree <= 32)
        #expect(stats.fullBaseLists <= count)
        #expect(stats.unreachableFromEntry <= count / 100, "\(stats.unreachableFromEntry) unreachable")
        // A node nobody links to is unreachable unless it is the entry point.
        #expect(stats.unreachableFromEntry >= stats.noBaseInLinks - 1)
    }
}
