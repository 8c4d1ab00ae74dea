/// Reproducible synthetic vector sets for tests, demos and benchmarks.
///
/// Clustered data (Gaussian blobs around random centres) is closer to real embeddings than
/// uniform noise: neighbourhoods are dense and uneven, which is what makes graph search hard.
public struct SyntheticVectors: Sendable {
    public var dimension: Int
    public var clusters: Int
    /// Spread of points around their centre relative to the spread of centres.
    public var clusterSpread: Float
    public var normalized: Bool
    public var seed: UInt64

    public init(dimension: Int, clusters: Int = 64, clusterSpread: Float = 0.35, normalized: Bool = false, seed: UInt64 = 1) {
        self.dimension = dimension
        self.clusters = max(1, clusters)
        self.clusterSpread = clusterSpread
        self.normalized = normalized
        self.seed = seed
    }

    /// `count` vectors row-major. `stream` selects an independent draw from the same clusters
    /// (use 0 for the base set, 1 for queries).
    public func generate(count: Int, stream: UInt64 = 0) -> [Float] {
        var centreGenerator = SplitMix64(seed: seed)
        var centres = [Float](repeating: 0, count: clusters * dimension)
        for index in centres.indices { centres[index] = centreGenerator.nextGaussian() }
        var generator = SplitMix64(seed: seed &+ 0x9E37_79B9 &* (stream &+ 1))
        var values = [Float](repeating: 0, count: count * dimension)
        for row in 0..<count {
            let cluster = Int(generator.next() % UInt64(clusters))
            var squared: Float = 0
            for column in 0..<dimension {
                let value = centres[cluster * dimension + column] + clusterSpread * generator.nextGaussian()
                values[row * dimension + column] = value
                squared += value * value
            }
            if normalized, squared > 0 {
                let scale = 1 / squared.squareRoot()
                for column in 0..<dimension { values[row * dimension + column] *= scale }
            }
        }
        return values
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A standard normal draw (Box–Muller).
    public mutating func nextGaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), .leastNormalMagnitude)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2))
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
private func _log(_ x: Double) -> Double { Darwin.log(x) }
private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
