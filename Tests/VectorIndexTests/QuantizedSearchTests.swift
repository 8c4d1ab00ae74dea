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
        let kernel = DistanceKernel(metric: metric, isa: .serial)
        let codes = CodeKernel(level: .serial)
        var a = [UInt8](repeating: 0, count: quantizer.stride), b = a
        var worst: Float = 0, scale: Float = 0
        for row in 0 ..< 200 {
            let x = Array(corpus.row(row)), y = Array(corpus.row(row + 200))
            let exact = kernel.distance(x, y)
            _ = x.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &a) }
            let correction = y.withUnsafeBufferPointer { quantizer.encode($0.baseAddress!, into: &b) }
            let dot = codes.dot(a, b, count: quantizer.stride)
            let approximate = quantizer.distance(constant: quantizer.constant(codes: a), correction: correction, dot: dot)
            worst = max(worst, abs(approximate - exact))
            scale = max(scale, abs(exact))
        }
        // Rounding to 128 levels: per coordinate at most half a step, so for these distances
        // (up to a few hundred for L2, up to 2 for unit vectors) the error stays within 2%.
        #expect(worst <= 0.02 * max(scale, 1), "largest error \(worst) on distances up to \(scale)")
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
