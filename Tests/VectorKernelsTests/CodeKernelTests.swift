import Testing
import VectorKernels

/// Every code-kernel path against an integer reference written here, on lengths the padding
/// allows, with stored codes up to 255 against signed query codes within the level's
/// `queryCodeLimit` (the extremes are the largest pair sums the AVX2 path must not saturate on,
/// positive and negative).
struct CodeKernelTests {
    @Test(arguments: CodeKernel.Level.supported)
    func matchesTheReference(level: CodeKernel.Level) {
        var generator = SeededGenerator(state: 11)
        let kernel = CodeKernel(level: level)
        let limit = kernel.queryCodeLimit
        for length in [64, 128, 192, 384, 448, 1024] {
            for trial in 0 ..< 20 {
                let codes = trial < 2 ? [UInt8](repeating: 255, count: length) : (0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
                let query: [Int8] = switch trial {
                case 0: [Int8](repeating: limit, count: length)
                case 1: [Int8](repeating: -limit, count: length)
                default: (0 ..< length).map { _ in Int8.random(in: -limit ... limit, using: &generator) }
                }
                let expected = zip(codes, query).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
                let found = codes.withUnsafeBufferPointer { c in query.withUnsafeBufferPointer { q in kernel.dot(c.baseAddress!, q.baseAddress!, count: length) } }
                #expect(found == expected, "\(level) length \(length) trial \(trial)")
            }
        }
    }

    @Test func theBestLevelIsSupportedAndPaddingRoundsUp() {
        #expect(CodeKernel.Level.best.isSupported)
        #expect(CodeKernel(level: .serial).queryCodeLimit == 127)
        #expect(CodeKernel.paddedLength(1) == 64 && CodeKernel.paddedLength(64) == 64 && CodeKernel.paddedLength(385) == 448)
    }
}

/// Every binary-kernel path against a bit-by-bit reference, on word counts with and without a
/// partial group of eight (the AVX-512 path's masked tail), including all-ones words.
struct BitKernelTests {
    @Test(arguments: BitKernel.Level.supported)
    func matchesTheReference(level: BitKernel.Level) {
        var generator = SeededGenerator(state: 5)
        let kernel = BitKernel(level: level)
        for words in [1, 2, 6, 7, 8, 9, 12, 16, 23] {
            for trial in 0 ..< 20 {
                let a = (0 ..< words).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
                let b = trial == 0 ? a.map { ~$0 } : (0 ..< words).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
                var expected: UInt32 = 0
                for (x, y) in zip(a, b) {
                    for bit in 0 ..< 64 where (x >> bit) & 1 != (y >> bit) & 1 { expected += 1 }
                }
                let found = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in kernel.hamming(pa.baseAddress!, pb.baseAddress!, words: words) } }
                #expect(found == expected, "\(level) words \(words)")
            }
        }
    }

    @Test func theBestLevelIsSupported() {
        #expect(BitKernel.Level.best.isSupported)
        #expect(BitKernel.words(forDimension: 1) == 1 && BitKernel.words(forDimension: 384) == 6 && BitKernel.words(forDimension: 385) == 7)
    }
}

/// The asymmetric (bit-plane) binary kernel on every path against levels multiplied out here.
struct BitPlaneKernelTests {
    @Test(arguments: BitKernel.Level.supported)
    func matchesTheReference(level: BitKernel.Level) {
        var generator = SeededGenerator(state: 17)
        let kernel = BitKernel(level: level)
        for words in [1, 6, 8, 9, 16] {
            for planes in [1, 4, 8] {
                let dimension = words * 64
                let levels = (0 ..< dimension).map { _ in UInt32.random(in: 0 ..< (1 << planes), using: &generator) }
                let bits = (0 ..< words).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
                var planeWords = [UInt64](repeating: 0, count: planes * words)
                for (column, value) in levels.enumerated() {
                    for plane in 0 ..< planes where (value >> plane) & 1 == 1 { planeWords[plane * words + column / 64] |= 1 << UInt64(column % 64) }
                }
                var expected: UInt32 = 0
                for column in 0 ..< dimension where (bits[column / 64] >> UInt64(column % 64)) & 1 == 1 { expected += levels[column] }
                let found = planeWords.withUnsafeBufferPointer { p in bits.withUnsafeBufferPointer { b in kernel.planeDot(p.baseAddress!, b.baseAddress!, words: words, planes: planes) } }
                #expect(found == expected, "\(level) words \(words) planes \(planes)")
            }
        }
    }
}
