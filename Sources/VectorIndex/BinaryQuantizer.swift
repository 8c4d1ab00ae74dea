import Foundation
import VectorKernels

/// Binary quantization as Qdrant configures it (`{"binary": {"encoding": "one_bit"}}`): one bit
/// per dimension, set when the coordinate lies above that dimension's mean over the training
/// sample, and the Hamming distance between bit vectors orders the candidates.
///
/// The threshold is the mean rather than zero because embeddings are rarely centred: most of a
/// sentence model's dimensions keep one sign across the whole corpus, so zero-thresholded bits
/// carry little. Subtracting the mean changes no inner-product ranking (q·x - q·μ differs from
/// q·x by a constant per query), and it makes each bit split the data about in half.
///
/// Queries are compared as bits too (Hamming distance, Qdrant's default), or, with
/// `queryEncoding` scalar4bits or scalar8bits, asymmetrically: the query keeps 4 or 8 bits per
/// dimension and is scored against the stored bits read as x ≈ μ + a·(±1), `a` each dimension's
/// mean absolute deviation (see `BinaryQueryPlanes`). That costs 4 or 8 popcounts per word instead
/// of one and recovers much of what one bit loses.
public struct BinaryQuantizer: Sendable, Equatable {
    public let dimension: Int
    public let metric: Metric
    /// 64-bit words per vector; bits past the dimension are zero in every vector.
    public let words: Int
    public let thresholds: [Float]
    /// Each dimension's mean absolute deviation from its threshold.
    public let deviations: [Float]
    public let queryEncoding: BinaryQueryEncoding
    /// For L2 without rescoring: the squared-distance weight of one differing bit (twice the
    /// mean absolute deviation, squared), so approximate distances stay in the metric's units.
    public let l2BitWeight: Float

    public init(dimension: Int, metric: Metric, thresholds: [Float], deviations: [Float], l2BitWeight: Float,
                queryEncoding: BinaryQueryEncoding = .bits) {
        precondition(thresholds.count == dimension && deviations.count == dimension, "one threshold and deviation per dimension")
        self.dimension = dimension
        self.metric = metric
        self.words = BitKernel.words(forDimension: dimension)
        self.thresholds = thresholds
        self.deviations = deviations
        self.queryEncoding = queryEncoding
        self.l2BitWeight = l2BitWeight.isFinite && l2BitWeight > 0 ? l2BitWeight : 1
    }

    /// Fits the thresholds to `values`: rows of `dimension` coordinates sampled from the stored
    /// vectors (already normalised for cosine).
    public static func train(values: [Float], dimension: Int, metric: Metric, queryEncoding: BinaryQueryEncoding = .bits) -> BinaryQuantizer {
        let rows = values.count / dimension
        var means = [Double](repeating: 0, count: dimension)
        var counts = [Int](repeating: 0, count: dimension)
        for row in 0 ..< rows {
            for column in 0 ..< dimension where values[row * dimension + column].isFinite {
                means[column] += Double(values[row * dimension + column])
                counts[column] += 1
            }
        }
        for column in 0 ..< dimension { means[column] = counts[column] > 0 ? means[column] / Double(counts[column]) : 0 }
        var deviations = [Double](repeating: 0, count: dimension)
        for row in 0 ..< rows {
            for column in 0 ..< dimension where values[row * dimension + column].isFinite {
                deviations[column] += abs(Double(values[row * dimension + column]) - means[column])
            }
        }
        for column in 0 ..< dimension { deviations[column] = counts[column] > 0 ? deviations[column] / Double(counts[column]) : 1 }
        let meanDeviation = deviations.reduce(0, +) / Double(max(dimension, 1))
        return BinaryQuantizer(dimension: dimension, metric: metric, thresholds: means.map { Float($0) },
                               deviations: deviations.map { $0 > 0 ? Float($0) : Float.leastNormalMagnitude },
                               l2BitWeight: Float(4 * meanDeviation * meanDeviation), queryEncoding: queryEncoding)
    }

    /// Writes the `words` words of `vector`'s bits and returns how many are set.
    @discardableResult
    public func encode(_ vector: UnsafePointer<Float>, into bits: UnsafeMutablePointer<UInt64>) -> Int {
        bits.initialize(repeating: 0, count: words)
        var set = 0
        for column in 0 ..< dimension where vector[column] > thresholds[column] {
            bits[column >> 6] |= 1 << UInt64(column & 63)
            set += 1
        }
        return set
    }

    /// The metric's distance a Hamming distance stands for (symmetric queries), when results are not rescored:
    /// for inner products the angle random hyperplanes estimate (1 - cos(π·h/d)); for L2 the
    /// squared distance between the two bit vectors' reconstructions.
    public func approximateDistance(hamming: Float) -> Float {
        metric.isInnerProduct ? 1 - cos(Float.pi * hamming / Float(dimension)) : l2BitWeight * hamming
    }
}

/// How queries meet binary codes: as bits (Hamming distance), or with 4 or 8 bits per dimension
/// against the stored bits (Qdrant's `query_encoding` default/binary, scalar4bits, scalar8bits).
public enum BinaryQueryEncoding: Int, Sendable, Hashable {
    case bits = 1
    case scalar4 = 4
    case scalar8 = 8
}
