import Testing
import VectorKernels

/// The four-row kernels a graph walk measures neighbours with: on every path (the SIMD batches,
/// and the four single calls where a level has none), each of the four results equals what the
/// one-row kernel returns for that row, bit for bit (so a walk finds the same nodes either way),
/// and both agree with the float64 reference.
struct BatchKernelTests {
    static let dimensions = Array(1...80) + [96, 127, 128, 129, 255, 256, 383, 384, 385, 768, 1024, 1536]

    @Test(arguments: KernelISA.supported)
    func fourRowsEqualFourSingleRows(isa: KernelISA) {
        var generator = SeededGenerator(state: 23)
        for metric in [Metric.l2, .dot, .cosine] {
            let kernel = DistanceKernel(metric: metric, isa: isa)
            for dimension in Self.dimensions {
                let query = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                // The four rows back to back in one array, row k at k * dimension.
                let rows = (0..<4 * dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                var batch = [Float](repeating: .nan, count: 4)
                query.withUnsafeBufferPointer { q in
                    rows.withUnsafeBufferPointer { r in
                        let row = { (k: Int) in r.baseAddress! + k * dimension }
                        kernel.distances(q.baseAddress!, row(0), row(1), row(2), row(3), count: dimension, into: &batch)
                    }
                }
                for row in 0..<4 {
                    let vector = Array(rows[row * dimension ..< (row + 1) * dimension])
                    let single = kernel.distance(query, vector)
                    #expect(batch[row].bitPattern == single.bitPattern, "\(isa) \(metric) dimension \(dimension) row \(row): \(batch[row]) vs \(single)")
                    let reference = switch metric {
                    case .l2: Reference.squaredL2(query, vector)
                    case .dot: 1 - Reference.dot(query, vector)
                    case .cosine: Reference.cosineDistance(query, vector)
                    }
                    #expect(abs(Double(batch[row]) - reference) <= 1e-4 * max(1, abs(reference)), "\(isa) \(metric) dimension \(dimension) row \(row)")
                }
            }
        }
    }

    @Test(arguments: CodeKernel.Level.supported)
    func fourCodeRowsEqualTheIntegerReference(level: CodeKernel.Level) {
        var generator = SeededGenerator(state: 29)
        let kernel = CodeKernel(level: level)
        let limit = kernel.queryCodeLimit
        for length in [64, 128, 192, 384, 448, 1024] {
            for trial in 0..<10 {
                let query: [Int8] = trial == 0 ? [Int8](repeating: -limit, count: length) : (0..<length).map { _ in Int8.random(in: -limit...limit, using: &generator) }
                // Rows 0 and 1 of the first trial are all 255: the AVX2 path's largest pair sums.
                let rows: [UInt8] = (0..<4 * length).map { index in
                    trial == 0 && index < 2 * length ? 255 : UInt8.random(in: 0...255, using: &generator)
                }
                var batch = [Int32](repeating: 0, count: 4)
                query.withUnsafeBufferPointer { q in
                    rows.withUnsafeBufferPointer { c in
                        let row = { (k: Int) in c.baseAddress! + k * length }
                        kernel.dots(q.baseAddress!, row(0), row(1), row(2), row(3), count: length, into: &batch)
                    }
                }
                for row in 0..<4 {
                    let codes = rows[row * length ..< (row + 1) * length]
                    let expected = zip(codes, query).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
                    #expect(batch[row] == expected, "\(level) length \(length) trial \(trial) row \(row)")
                }
            }
        }
    }
}
