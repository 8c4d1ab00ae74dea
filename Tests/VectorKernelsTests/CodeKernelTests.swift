import Testing
import VectorKernels

/// Every code-kernel path against an integer reference written here, on lengths the padding
/// allows, with codes up to 127 (the largest products the kernels must not saturate on).
struct CodeKernelTests {
    @Test(arguments: CodeKernel.Level.supported)
    func matchesTheReference(level: CodeKernel.Level) {
        var generator = SeededGenerator(state: 11)
        let kernel = CodeKernel(level: level)
        for length in [64, 128, 192, 384, 448, 1024] {
            for trial in 0 ..< 20 {
                let a = (0 ..< length).map { _ in UInt8.random(in: 0 ... 127, using: &generator) }
                let b = trial == 0 ? [UInt8](repeating: 127, count: length) : (0 ..< length).map { _ in UInt8.random(in: 0 ... 127, using: &generator) }
                let expected = zip(a, b).reduce(UInt32(0)) { $0 + UInt32($1.0) * UInt32($1.1) }
                let found = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in kernel.dot(pa.baseAddress!, pb.baseAddress!, count: length) } }
                #expect(found == expected, "\(level) length \(length)")
            }
        }
    }

    @Test func theBestLevelIsSupportedAndPaddingRoundsUp() {
        #expect(CodeKernel.Level.best.isSupported)
        #expect(CodeKernel.paddedLength(1) == 64 && CodeKernel.paddedLength(64) == 64 && CodeKernel.paddedLength(385) == 448)
    }
}
