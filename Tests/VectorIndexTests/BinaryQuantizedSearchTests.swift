import Foundation
import Testing
import VectorIndex
import VectorKernels

/// Binary quantization: bits against a per-dimension reference, Hamming order against the
/// angle it stands for, and a graph walked on bits and rescored on floats.
@Suite(.serialized) struct BinaryQuantizedSearchTests {
    @Test func bitsAreSetAboveEachDimensionsMean() {
        // Dimension 0 is always positive, so zero-thresholded bits would all be set.
        let values: [Float] = [3, -1, 0.5, 5, 1, -0.5, 4, 0, 0]
        let quantizer = BinaryQuantizer.train(values: values, dimension: 3, metric: .dot)
        #expect(quantizer.thresholds == [4, 0, 0] && quantizer.words == 1)
        var bits: UInt64 = 0
        let vector: [Float] = [4.5, -2, 0.1]
        vector.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &bits) }
        #expect(bits == 0b101)
    }

    @Test func hammingDistanceTracksTheAngle() {
        let corpus = TestData.clustered(count: 600, dimension: 256, normalized: true)
        let quantizer = BinaryQuantizer.train(values: corpus.values, dimension: 256, metric: .dot)
        let kernel = BitKernel(level: .serial)
        let exact = DistanceKernel(metric: .dot, isa: .serial)
        var pairs: [(Float, Float)] = []
        var a = [UInt64](repeating: 0, count: quantizer.words), b = a
        for row in 0 ..< 300 {
            let x = Array(corpus.row(row)), y = Array(corpus.row(row + 300))
            x.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &a) }
            y.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &b) }
            pairs.append((exact.distance(x, y), Float(kernel.hamming(a, b, words: quantizer.words))))
        }
        // Rank agreement over all pairs of pairs (Kendall's tau): bits keep the order of most.
        var concordant = 0, discordant = 0
        for i in 0 ..< pairs.count {
            for j in i + 1 ..< pairs.count {
                let product = (pairs[i].0 - pairs[j].0) * (pairs[i].1 - pairs[j].1)
                if product > 0 { concordant += 1 } else if product < 0 { discordant += 1 }
            }
        }
        let tau = Double(concordant - discordant) / Double(concordant + discordant)
        #expect(tau > 0.4, "Kendall tau between dot distance and Hamming distance: \(tau)")
    }

    @Test("binary + rescore: the graph walked on bits finds what ranking every vector's bits finds, on 20k normalised 384-d vectors; kinds switch")
    func rescoredRecallAndSwitching() throws {
        let corpus = TestData.clustered(count: 20_000, dimension: 384, normalized: true)
        let queries = TestData.clustered(count: 100, dimension: 384, normalized: true, stream: 1)
        let index = try TestData.build(corpus, metric: .cosine)
        let truth = ExactSearch(corpus: corpus, metric: .cosine).search(queries, k: 10).map { $0.map(\.id) }
        let binary = index.enableBinaryQuantization()
        #expect(binary.words == 6 && index.quantizer == .binary(binary))
        let oversampling = 4
        var found: [[UInt32]] = []
        for row in 0 ..< queries.count {
            found.append(try index.search(Array(queries.row(row)), k: 10, ef: 256, quantization: QuantizedSearch(rescore: true, oversampling: Double(oversampling))).map(\.id))
        }
        let walked = Recall.atK(found: found, truth: truth, k: 10)
        let reference = Recall.atK(found: Self.bitsThenRescore(corpus, queries, candidates: 10 * oversampling), truth: truth, k: 10)
        #expect(walked >= reference - 0.05, "graph walked on bits \(walked), every vector's bits ranked \(reference)")
        #expect(reference > 0.2, "bits ranked over every vector: recall@10 \(reference)")
        // Queries with 8 bits per dimension against the same stored bits find more.
        index.quantize(.binary(queryEncoding: .scalar8))
        var asymmetric: [[UInt32]] = []
        for row in 0 ..< queries.count {
            asymmetric.append(try index.search(Array(queries.row(row)), k: 10, ef: 256, quantization: QuantizedSearch(rescore: true, oversampling: Double(oversampling))).map(\.id))
        }
        let scalar8 = Recall.atK(found: asymmetric, truth: truth, k: 10)
        #expect(scalar8 >= walked + 0.02, "8-bit queries \(scalar8), 1-bit queries \(walked)")
        let estimate = try index.search(Array(queries.row(0)), k: 10, ef: 256, quantization: QuantizedSearch(rescore: false, oversampling: 4))
        let exact = DistanceKernel(metric: .cosine, isa: .serial)
        // Unrescored distances estimate the cosine distance from the bits: in order, and off by
        // about 0.3 here (the bits keep each dimension's side of the mean, not its magnitude).
        #expect(estimate.count == 10 && zip(estimate, estimate.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        let errors = estimate.map { abs($0.distance - exact.distance(Array(queries.row(0)), Array(corpus.row(Int($0.id))))) }
        #expect(errors.reduce(0, +) / Float(errors.count) < 0.4, "estimate errors \(errors)")
        index.quantize(.binary(queryEncoding: .bits))
        // Unrescored distances are 1 - cos(pi * h / d) of the bits' Hamming distance h, here
        // recomputed from bits made in the test (with the trained thresholds).
        let raw = try index.search(Array(queries.row(0)), k: 10, quantization: QuantizedSearch(rescore: false, oversampling: 1))
        let expectedDistances = Self.hammingDistances(corpus, thresholds: binary.thresholds, query: queries.row(0), ids: raw.map { Int($0.id) })
            .map { 1 - cos(Float.pi * Float($0) / 384) }
        #expect(raw.count == 10)
        for (found, expected) in zip(raw, expectedDistances) { #expect(abs(found.distance - expected) < 1e-5) }
        // Asking for another kind replaces the codes at once (the graph is past the training size).
        index.quantize(.scalar(quantile: 1))
        guard case .scalar = index.quantizer else { Issue.record("scalar codes expected after quantize(.scalar)"); return }
        index.quantize(.binary(queryEncoding: .bits))
        guard case .binary = index.quantizer else { Issue.record("binary codes expected after quantize(.binary)"); return }
    }

    /// The Hamming distances between the query's bits and those of `ids`, bits made here.
    /// (Queries and the corpus are unit vectors already, as the cosine index stores them.)
    static func hammingDistances(_ corpus: VectorMatrix, thresholds mean: [Float], query: ArraySlice<Float>, ids: [Int]) -> [Int] {
        let asked = query.enumerated().map { $0.element > mean[$0.offset] }
        return ids.map { id in zip(corpus.row(id).enumerated().map { $0.element > mean[$0.offset] }, asked).filter { $0.0 != $0.1 }.count }
    }

    /// Binary quantization computed here without the index or its kernels: bits above each
    /// dimension's mean, the `candidates` fewest differing bits, re-ranked by the exact dot.
    static func bitsThenRescore(_ corpus: VectorMatrix, _ queries: VectorMatrix, candidates: Int) -> [[UInt32]] {
        let dimension = corpus.dimension
        var mean = [Float](repeating: 0, count: dimension)
        for row in 0 ..< corpus.count { for (column, value) in corpus.row(row).enumerated() { mean[column] += value } }
        mean = mean.map { $0 / Float(corpus.count) }
        func bits(_ vector: ArraySlice<Float>) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: (dimension + 63) / 64)
            for (column, value) in vector.enumerated() where value > mean[column] { words[column / 64] |= 1 << UInt64(column % 64) }
            return words
        }
        let stored = (0 ..< corpus.count).map { bits(corpus.row($0)) }
        return (0 ..< queries.count).map { row in
            let query = queries.row(row), asked = bits(query)
            let hamming = stored.map { words in zip(words, asked).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount } }
            let nearest = (0 ..< corpus.count).sorted { (hamming[$0], $0) < (hamming[$1], $1) }.prefix(candidates)
            let dot = { (id: Int) in zip(corpus.row(id), query).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            return nearest.sorted { dot($0) > dot($1) }.prefix(10).map { UInt32($0) }
        }
    }
}
