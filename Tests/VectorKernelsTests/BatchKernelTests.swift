import Testing
import VectorKernels

/// The four-row kernels a graph walk measures neighbours with: on every path, each of the four
/// results equals what the one-row kernel returns for that row, bit for bit (so a walk finds the
/// same nodes either way), and both agree with the float64 reference.
struct BatchKernelTests {
    static let dimensions = Array(1...80) + [96, 127, 128, 129, 255, 256, 383, 384, 385, 768, 1024, 1536]

    @Test(arguments: KernelISA.supported)
    func fourRowsEqualFourSingleRows(isa: KernelISA) {
        var generator = SeededGenerator(state: 23)
        for metric in [Metric.l2, .dot, .cosine] {
            let kernel = DistanceKernel(metric: metric, isa: isa)
            for dimension in Self.dimensions {
                let query = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
                let rows = (0..<4).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
                var batch = [Float](repeating: .nan, count: 4)
                query.withUnsafeBufferPointer { q in
                    rows[0].withUnsafeBufferPointer { r0 in rows[1].withUnsafeBufferPointer { r1 in
                        rows[2].withUnsafeBufferPointer { r2 in rows[3].withUnsafeBufferPointer { r3 in
                            batch.withUnsafeMutableBufferPointer { out in
                                kernel.distances(q.baseAddress!, r0.baseAddress!, r1.baseAddress!, r2.baseAddress!, r3.baseAddress!,
                                                 count: dimension, into: out.baseAddress!)
                            }
                        } }
                    } }
                }
                for (row, vector) in rows.enumerated() {
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
                let rows: [[UInt8]] = (0..<4).map { row in
                    trial == 0 && row < 2 ? [UInt8](repeating: 255, count: length) : (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                }
                var batch = [Int32](repeating: 0, count: 4)
                query.withUnsafeBufferPointer { q in
                    rows[0].withUnsafeBufferPointer { c0 in rows[1].withUnsafeBufferPointer { c1 in
                        rows[2].withUnsafeBufferPointer { c2 in rows[3].withUnsafeBufferPointer { c3 in
                            batch.withUnsafeMutableBufferPointer { out in
                                kernel.dots(q.baseAddress!, c0.baseAddress!, c1.baseAddress!, c2.baseAddress!, c3.baseAddress!,
                                            count: length, into: out.baseAddress!)
                            }
                        } }
                    } }
                }
                for (row, codes) in rows.enumerated() {
                    let expected = zip(codes, query).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
                    #expect(batch[row] == expected, "\(level) length \(length) trial \(trial) row \(row)")
                }
            }
        }
    }
}
