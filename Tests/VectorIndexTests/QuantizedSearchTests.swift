import Testing
import VectorIndex
import VectorKernels

/// Scalar quantization: the code distance approximates the float distance, and a search
/// walked on codes and rescored on floats keeps float recall.
@Suite(.serialized) struct QuantizedSearchTests {
    @Test(arguments: [Metric.l2, Metric.dot])
    func codeDistancesApproximateFloatDistances(metric: Metric) {
        let corpus = TestData.clustered(count: 400, dimension: 96, normalized: metric == .dot)
        let quantizer = ScalarQuantizer.train(values: corpus.values, dimension: 96, metric: metric, quantile: 1)
        let worst = Self.largestError(corpus, quantizer: quantizer, metric: metric, pairs: (0 ..< 200).map { ($0, $0 + 200) })
        // Rounding to 256 levels: per coordinate at most half a step, so for these distances
        // (up to a few hundred for L2, up to 2 for unit vectors) the error stays within 2%.
        #expect(worst.error <= 0.02 * max(worst.scale, 1), "largest error \(worst.error) on distances up to \(worst.scale)")
    }

    /// A dimension with outliers (a few vectors at 1000) coarsens only its own steps: the others
    /// keep theirs, so code distances err far less than under one range for every dimension
    /// (the same codes and query encoding, with the range shared).
    @Test func aWideDimensionCoarsensOnlyItself() {
        let base = TestData.clustered(count: 400, dimension: 32)
        var values = base.values
        for row in 0 ..< 4 { values[row * 32] = 1_000 }
        let corpus = VectorMatrix(dimension: 32, values: values)
        let perDimension = ScalarQuantizer.train(values: values, dimension: 32, metric: .l2, quantile: 1)
        let low = values.min()!, high = values.max()!
        let shared = ScalarQuantizer(dimension: 32, metric: .l2, offsets: Array(repeating: low, count: 32),
                                     scales: Array(repeating: (high - low) / 255, count: 32), quantile: 1)
        let pairs = (4 ..< 200).map { ($0, $0 + 200) }
        let own = Self.largestError(corpus, quantizer: perDimension, metric: .l2, pairs: pairs)
        let one = Self.largestError(corpus, quantizer: shared, metric: .l2, pairs: pairs)
        #expect(perDimension.scales[0] > 50 * perDimension.scales[1])
        #expect(own.error < 0.5 * one.error, "per-dimension ranges err by up to \(own.error), one range by up to \(one.error)")
    }

    /// All eight bits of a code count: 255 steps per range err clearly less than 127 would (the
    /// same ranges with twice the step, so the codes stay within 0...127).
    @Test(arguments: [Metric.l2, Metric.dot])
    func eightBitCodesErrLessThanSeven(metric: Metric) {
        let corpus = TestData.clustered(count: 400, dimension: 96, normalized: metric == .dot)
        let eight = ScalarQuantizer.train(values: corpus.values, dimension: 96, metric: metric, quantile: 1)
        let seven = ScalarQuantizer(dimension: 96, metric: metric, offsets: eight.offsets, scales: eight.scales.map { $0 * 2 }, quantile: 1)
        let pairs = (0 ..< 200).map { ($0, $0 + 200) }
        let fine = Self.largestError(corpus, quantizer: eight, metric: metric, pairs: pairs)
        let coarse = Self.largestError(corpus, quantizer: seven, metric: metric, pairs: pairs)
        #expect(fine.error < 0.75 * coarse.error, "255 steps err by up to \(fine.error), 127 steps by up to \(coarse.error)")
    }

    /// The largest gap between a pair's code distance (stored codes of the first against the
    /// prepared second) and its float distance, with the largest float distance.
    private static func largestError(_ corpus: VectorMatrix, quantizer: ScalarQuantizer, metric: Metric,
                                     pairs: [(Int, Int)]) -> (error: Float, scale: Float) {
        let kernel = DistanceKernel(metric: metric, isa: .serial)
        let codes = CodeKernel(level: .serial)
        var stored = [UInt8](repeating: 0, count: quantizer.stride)
        var worst: Float = 0, scale: Float = 0
        for (first, second) in pairs {
            let x = Array(corpus.row(first)), y = Array(corpus.row(second))
            let exact = kernel.distance(x, y)
            let correction = x.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &stored) }
            let query = y.withUnsafeBufferPointer { quantizer.prepare($0.baseAddress!, limit: codes.queryCodeLimit) }
            let dot = query.codes.withUnsafeBufferPointer { codes.dot(stored, $0.baseAddress!, count: quantizer.stride) }
            worst = max(worst, abs(quantizer.distance(query, correction: correction, dot: dot) - exact))
            scale = max(scale, abs(exact))
        }
        return (worst, scale)
    }

    @Test("int8 + rescore (oversampling 3): recall@10 >= 0.95 on 20k normalised 384-d vectors, within 0.01 of float at the same ef")
    func rescoredRecallMatchesFloat() throws {
        let corpus = TestData.clustered(count: 20_000, dimension: 384, normalized: true)
        let queries = TestData.clustered(count: 200, dimension: 384, normalized: true, stream: 1)
        let index = try TestData.build(corpus, metric: .cosine)
        let truth = ExactSearch(corpus: corpus, metric: .cosine).search(queries, k: 10)
        let float = try TestData.recall(index, queries: queries, truth: truth, k: 10, ef: 64)
        let quantizer = index.enableScalarQuantization()
        #expect(quantizer.stride == 384 && index.quantizer == .scalar(quantizer))
        var found: [[UInt32]] = []
        for row in 0 ..< queries.count {
            found.append(try index.search(Array(queries.row(row)), k: 10, ef: 64, quantization: QuantizedSearch(rescore: true, oversampling: 3)).map(\.id))
        }
        let quantized = Recall.atK(found: found, truth: truth.map { $0.map(\.id) }, k: 10)
        #expect(quantized >= 0.95, "int8 + rescore recall@10 = \(quantized)")
        #expect(quantized >= float - 0.01, "int8 + rescore \(quantized), float \(float)")
    }

    @Test("vectors inserted after quantization are encoded; deleted and filtered-out ones are not returned")
    func insertsDeletesAndFiltersKeepWorking() throws {
        let corpus = TestData.clustered(count: 4_000, dimension: 64)
        let index = try HNSWIndex(dimension: 64, metric: .l2, capacity: 16)
        try index.insert(contentsOf: corpus.gathering(0 ..< 2_000), ids: (0 ..< 2_000).map { UInt32($0) }, threads: 2)
        index.enableScalarQuantization()
        // Grows the graph past its capacity, so the codes are carried through a resize.
        for row in 2_000 ..< 4_000 { try index.insert(Array(corpus.row(row)), id: UInt32(row)) }
        let search = QuantizedSearch(rescore: true, oversampling: 3)
        var hits = 0
        for row in stride(from: 1, to: 4_000, by: 37) {
            if try index.search(Array(corpus.row(row)), k: 1, ef: 64, quantization: search).first?.id == UInt32(row) { hits += 1 }
        }
        #expect(hits >= 105, "\(hits) of 109 stored vectors found themselves")
        try index.delete(id: 3_001)
        #expect(try index.search(Array(corpus.row(3_001)), k: 5, quantization: search).allSatisfy { $0.id != 3_001 })
        let even = try index.search(Array(corpus.row(10)), k: 10, filter: { $0 % 2 == 0 }, quantization: search)
        #expect(even.count == 10 && even.allSatisfy { $0.id % 2 == 0 })
        // Without rescoring the distances are the codes' approximations, still in order.
        let raw = try index.search(Array(corpus.row(10)), k: 10, quantization: QuantizedSearch(rescore: false, oversampling: 1))
        #expect(raw.count == 10 && zip(raw, raw.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        #expect(throws: IndexError.self) { try index.search(Array(corpus.row(10)), k: 10, quantization: QuantizedSearch(oversampling: 0.5)) }
        index.disableQuantization()
        #expect(index.quantizer == nil)
    }
}
