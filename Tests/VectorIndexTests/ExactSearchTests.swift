import Testing
import VectorIndex
import VectorKernels

@Suite struct ExactSearchTests {
    /// A scan with the distance kernels, one query and one row at a time.
    func naive(_ corpus: VectorMatrix, _ query: [Float], metric: Metric, k: Int, accept: (UInt32) -> Bool = { _ in true }) -> [Neighbor] {
        let kernel = DistanceKernel(metric: metric, isa: .serial)
        return (0..<corpus.count)
            .filter { accept(UInt32($0)) }
            .map { Neighbor(id: UInt32($0), distance: kernel.distance(query, Array(corpus.row($0)))) }
            .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
            .prefix(k).map { $0 }
    }

    func assertSameNeighbors(_ found: [Neighbor], _ expected: [Neighbor], metric: Metric) {
        #expect(found.count == expected.count)
        for (a, b) in zip(found, expected) {
            // Ids may swap only between (near-)ties; distances must agree.
            #expect(abs(a.distance - b.distance) <= 1e-3 * max(1, abs(b.distance)), "\(metric): \(a) vs \(b)")
        }
        let overlap = Set(found.map(\.id)).intersection(expected.map(\.id)).count
        #expect(overlap >= expected.count - 1, "\(metric): ids differ beyond a tie")
    }

    @Test("BLAS top-k equals a naive scan for every metric", arguments: Metric.allCases)
    func matchesNaive(metric: Metric) {
        // 5000 rows spans several corpus blocks; 150 queries spans two query blocks.
        let corpus = TestData.clustered(count: 5000, dimension: 37)
        let queries = TestData.clustered(count: 150, dimension: 37, stream: 1)
        let results = ExactSearch(corpus: corpus, metric: metric).search(queries, k: 10)
        #expect(results.count == queries.count)
        for row in stride(from: 0, to: queries.count, by: 7) {
            assertSameNeighbors(results[row], naive(corpus, Array(queries.row(row)), metric: metric, k: 10), metric: metric)
        }
    }

    @Test("a filter predicate and a candidate list both restrict results exactly", arguments: Metric.allCases)
    func filtered(metric: Metric) {
        let corpus = TestData.clustered(count: 3000, dimension: 24)
        let queries = TestData.clustered(count: 20, dimension: 24, stream: 1)
        let search = ExactSearch(corpus: corpus, metric: metric)
        let accept: (UInt32) -> Bool = { $0 % 7 == 3 }
        let byPredicate = search.search(queries, k: 5, accept: accept)
        let candidates = (0..<UInt32(3000)).filter(accept)
        let byCandidates = search.search(queries, k: 5, among: candidates)
        for row in 0..<queries.count {
            let expected = naive(corpus, Array(queries.row(row)), metric: metric, k: 5, accept: accept)
            #expect(byPredicate[row].allSatisfy { accept($0.id) })
            #expect(byCandidates[row].allSatisfy { accept($0.id) })
            assertSameNeighbors(byPredicate[row], expected, metric: metric)
            assertSameNeighbors(byCandidates[row], expected, metric: metric)
        }
    }

    @Test("k larger than the corpus returns every row, closest first")
    func smallCorpus() {
        let corpus = VectorMatrix(rows: [[0, 0], [3, 4], [1, 0]])
        let result = ExactSearch(corpus: corpus, metric: .l2).search(VectorMatrix(rows: [[0, 0]]), k: 10)[0]
        #expect(result.map(\.id) == [0, 2, 1])
        #expect(result.map(\.distance) == [0, 1, 25])
    }
}

@Suite struct IndexExactSearchTests {
    @Test("exact search over the graph's own vectors equals ExactSearch, with deletions and filters", arguments: Metric.allCases)
    func matchesMatrixSearch(metric: Metric) throws {
        let corpus = TestData.clustered(count: 9_000, dimension: 20, normalized: metric == .cosine)
        let queries = TestData.clustered(count: 15, dimension: 20, normalized: metric == .cosine, stream: 1)
        let index = try TestData.build(corpus, metric: metric, parameters: HNSWParameters(m: 8, efConstruction: 32))
        for id in stride(from: UInt32(0), to: 9_000, by: 5) { try index.delete(id: id) }
        let live: (UInt32) -> Bool = { $0 % 5 != 0 }
        let reference = ExactSearch(corpus: corpus, metric: metric)
        for row in 0..<queries.count {
            let query = Array(queries.row(row))
            let expected = reference.search(VectorMatrix(dimension: 20, values: query), k: 10, accept: live)[0]
            let found = try index.exactSearch(query, k: 10)
            #expect(found.map(\.id) == expected.map(\.id), "\(metric) query \(row)")
            for (a, b) in zip(found, expected) { #expect(abs(a.distance - b.distance) < 1e-3 * max(1, abs(b.distance))) }
            let odd: (UInt32) -> Bool = { $0 % 2 == 1 }
            let filtered = try index.exactSearch(query, k: 10, filter: odd)
            let expectedFiltered = reference.search(VectorMatrix(dimension: 20, values: query), k: 10) { live($0) && odd($0) }[0]
            #expect(filtered.map(\.id) == expectedFiltered.map(\.id))
            let candidates = (0..<UInt32(9_000)).filter { $0 % 7 == 0 }
            let among = try index.exactSearch(query, k: 10, among: candidates)
            let expectedAmong = reference.search(VectorMatrix(dimension: 20, values: query), k: 10) { live($0) && $0 % 7 == 0 }[0]
            #expect(among.map(\.id) == expectedAmong.map(\.id))
        }
    }
}
