import Testing
import VectorKernels

@Suite struct BLASTests {
    @Test("A·Bᵀ through sgemm equals a naive triple loop, odd shapes included", arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 129), (64, 200, 384)])
    func multiplyTransposed(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var generator = SeededGenerator(state: UInt64(m * 1000 + n * 10 + k))
        let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &generator) }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.multiplyTransposed(pa.baseAddress!, rows: m, pb.baseAddress!, rows: n, depth: k, into: pc.baseAddress!)
                }
            }
        }
        for row in 0..<m {
            for column in 0..<n {
                let expected = (0..<k).reduce(0.0) { $0 + Double(a[row * k + $1]) * Double(b[column * k + $1]) }
                #expect(abs(Double(c[row * n + column]) - expected) < 1e-4 * Double(k))
            }
        }
    }
}
