import Testing
import VectorKernels

/// Double-precision references, written independently of the C kernels.
enum Reference {
    static func squaredL2(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { sum, pair in
            let difference = Double(pair.0) - Double(pair.1)
            return sum + difference * difference
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    static func cosineDistance(_ a: [Float], _ b: [Float]) -> Double {
        let normA = dot(a, a).squareRoot(), normB = dot(b, b).squareRoot()
        return 1 - dot(a, b) / (normA * normB)
    }
}

struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct DistanceKernelTests {
    static let dimensions = Array(1...1536)

    func randomVectors(dimension: Int, seed: UInt64, range: ClosedRange<Float>) -> ([Float], [Float]) {
        var generator = SeededGenerator(state: seed)
        let a = (0..<dimension).map { _ in Float.random(in: range, using: &generator) }
        let b = (0..<dimension).map { _ in Float.random(in: range, using: &generator) }
        return (a, b)
    }

    @Test("every supported path matches a float64 reference for every dimension 1...1536", arguments: KernelISA.supported)
    func matchesReference(isa: KernelISA) {
        let l2 = DistanceKernel(metric: .l2, isa: isa)
        let dot = DistanceKernel(metric: .dot, isa: isa)
        let cosine = DistanceKernel(metric: .cosine, isa: isa)
        var worst = (l2: 0.0, dot: 0.0, cosine: 0.0)
        for dimension in Self.dimensions {
            // Positive components keep the references well conditioned, so a relative bound is meaningful.
            let (a, b) = randomVectors(dimension: dimension, seed: UInt64(dimension), range: 0.01...1)
            let expectedL2 = Reference.squaredL2(a, b)
            worst.l2 = max(worst.l2, abs(Double(l2.distance(a, b)) - expectedL2) / max(expectedL2, 1e-30))
            let expectedDot = Reference.dot(a, b)
            worst.dot = max(worst.dot, abs((1 - Double(dot.distance(a, b))) - expectedDot) / expectedDot)
            let expectedCosine = Reference.cosineDistance(a, b)
            worst.cosine = max(worst.cosine, abs(Double(cosine.distance(a, b)) - expectedCosine) / max(expectedCosine, 1e-30))
        }
        #expect(worst.l2 < 1e-4, "l2 relative error \(worst.l2) on \(isa)")
        #expect(worst.dot < 1e-4, "dot relative error \(worst.dot) on \(isa)")
        #expect(worst.cosine < 1e-4, "cosine relative error \(worst.cosine) on \(isa)")
    }

    @Test("mixed-sign vectors: error bounded relative to the magnitude of the terms", arguments: KernelISA.supported)
    func mixedSigns(isa: KernelISA) {
        let dot = DistanceKernel(metric: .dot, isa: isa)
        for dimension in [3, 17, 31, 100, 384, 769, 1536] {
            let (a, b) = randomVectors(dimension: dimension, seed: 99 + UInt64(dimension), range: -1...1)
            let magnitude = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            let error = abs((1 - Double(dot.distance(a, b))) - Reference.dot(a, b))
            #expect(error / magnitude < 1e-5, "dimension \(dimension) on \(isa)")
        }
    }

    @Test("all paths agree with each other on the same input")
    func pathsAgree() {
        let (a, b) = randomVectors(dimension: 777, seed: 5, range: -2...2)
        for metric in Metric.allCases {
            let values = KernelISA.supported.map { DistanceKernel(metric: metric, isa: $0).distance(a, b) }
            for value in values { #expect(abs(value - values[0]) <= 1e-3 * max(1, abs(values[0])), "\(metric)") }
        }
    }

    @Test("cosine of a zero vector is defined, never NaN")
    func zeroVectors() {
        for isa in KernelISA.supported {
            let kernel = DistanceKernel(metric: .cosine, isa: isa)
            #expect(kernel.distance([0, 0, 0], [0, 0, 0]) == 0)
            #expect(kernel.distance([0, 0, 0], [1, 2, 3]) == 1)
        }
    }

    @Test("the best path is the widest supported one unless LODESTONE_ISA caps it")
    func bestIsSupported() {
        #expect(KernelISA.best.isSupported)
        #expect(KernelISA.supported.contains(.serial))
        if getenv("LODESTONE_ISA") == nil {
            #expect(KernelISA.best == KernelISA.supported.max())
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
