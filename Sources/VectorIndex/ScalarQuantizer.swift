import VectorKernels

/// Scalar quantization as Qdrant configures it (`{"scalar": {"type": "int8", "quantile"}}`),
/// with a range per dimension: x_i ≈ o_i + s_i·p_i with p_i in 0...255, the range being the
/// central `quantile` of that dimension's values in the training sample. One range for the
/// whole index would spend its steps on the widest dimension: on clustered 384-d vectors,
/// per-dimension ranges lift recall@10 at oversampling 2 from 0.95 to 0.98 (and from 0.64 to
/// 0.78 at quantile 0.99). All eight bits: on the same vectors at quantile 1, 255 steps rather
/// than 127 lift recall@10 at oversampling 1 from 0.83 to 0.88-0.90.
///
/// A query is not rounded to the stored grid. Its weights w_i = s_i·y_i become signed bytes r_i
/// under one scale t per query (t = max|w|/L, L the kernel's `queryCodeLimit`), so
///   x̂·y = Σ o_i·y_i + Σ s_i·p_i·y_i ≈ Σ o_i·y_i + m·(Σ w_i - t·Σ r_i) + t·(p·r),
/// one integer inner product (`CodeKernel`) and two per-query constants (m = 127.5, the middle
/// code: the query's rounding is charged only on the codes' spread around it):
/// - inner product (dot, and cosine on unit vectors): 1 - x̂·y, with no per-vector term;
/// - squared L2: ‖x‖² + ‖y‖² - 2·x̂·y, with ‖x‖² taken exactly from the float vector when it is
///   encoded (the per-vector correction), so only the cross term carries rounding.
public struct ScalarQuantizer: Sendable, Equatable {
    public let dimension: Int
    /// Code bytes per vector: the dimension padded for the kernels (padding codes are 0).
    public let stride: Int
    public let metric: Metric
    /// Per dimension: the value code 0 stands for, and what one code step adds.
    public let offsets: [Float]
    public let scales: [Float]
    public let quantile: Double
    static let levels: Float = 255
    static let middle: Float = 127.5

    public init(dimension: Int, metric: Metric, offsets: [Float], scales: [Float], quantile: Double) {
        precondition(offsets.count == dimension && scales.count == dimension, "one offset and one scale per dimension")
        self.dimension = dimension
        self.stride = CodeKernel.paddedLength(dimension)
        self.metric = metric
        self.offsets = offsets.map { $0.isFinite ? $0 : 0 }
        self.scales = scales.map { $0 > 0 && $0.isFinite ? $0 : 1 }
        self.quantile = quantile
    }

    /// Fits each dimension's range to the central `quantile` of its values in `values` (rows of
    /// `dimension` values from a sample of the stored vectors, already normalised for cosine).
    public static func train(values: [Float], dimension: Int, metric: Metric, quantile: Double) -> ScalarQuantizer {
        let quantile = quantile.isNaN ? 1 : min(max(quantile, 0.5), 1)
        let rows = dimension > 0 ? values.count / dimension : 0
        let tail = (1 - quantile) / 2
        var offsets = [Float](repeating: -1, count: dimension), scales = [Float](repeating: 2 / levels, count: dimension)
        var column: [Float] = []
        column.reserveCapacity(rows)
        for index in 0 ..< dimension {
            column.removeAll(keepingCapacity: true)
            for row in 0 ..< rows where values[row * dimension + index].isFinite { column.append(values[row * dimension + index]) }
            guard !column.isEmpty else { continue }
            column.sort()
            let low = column[Int((Double(column.count - 1) * tail).rounded(.down))]
            let high = column[Int((Double(column.count - 1) * (1 - tail)).rounded(.up))]
            // A constant dimension: code 0 is its value exactly, whatever the step.
            let span = high > low ? high - low : max(abs(low), 1)
            offsets[index] = low
            scales[index] = span / levels
        }
        return ScalarQuantizer(dimension: dimension, metric: metric, offsets: offsets, scales: scales, quantile: quantile)
    }

    /// Writes the codes of `vector` (`stride` bytes, padding zeroed) and returns its correction.
    public func encode(_ vector: UnsafePointer<Float>, into codes: UnsafeMutablePointer<UInt8>) -> Float {
        var squares: Float = 0
        for index in 0 ..< dimension {
            let value = vector[index]
            let level = min(max(((value - offsets[index]) / scales[index]).rounded(), 0), Self.levels)
            codes[index] = level.isNaN ? 0 : UInt8(level)
            squares += value * value
        }
        (codes + dimension).initialize(repeating: 0, count: stride - dimension)
        return metric.isInnerProduct ? 0 : squares
    }

    /// A query's signed codes within ±`limit` (the kernel's `queryCodeLimit`) and its terms of
    /// the distance (see the type's note).
    public func prepare(_ query: UnsafePointer<Float>, limit: Int8) -> ScalarQuery {
        let queryLevels = Float(limit)
        var largest: Float = 0, offsetDot: Float = 0, squares: Float = 0, weights: Float = 0
        for index in 0 ..< dimension {
            largest = max(largest, abs(scales[index] * query[index]))
            offsetDot += offsets[index] * query[index]
            squares += query[index] * query[index]
            weights += scales[index] * query[index]
        }
        let step = largest > 0 && largest.isFinite ? largest / queryLevels : 1
        var codes = [Int8](repeating: 0, count: stride)
        var codeSum: Float = 0
        for index in 0 ..< dimension {
            let level = min(max((scales[index] * query[index] / step).rounded(), -queryLevels), queryLevels)
            codes[index] = level.isNaN ? 0 : Int8(level)
            codeSum += Float(codes[index])
        }
        // The query's rounding error meets the stored codes themselves (0...255); taken about the
        // middle code, whose part Σ w_i is known exactly, it meets only their spread around it.
        let cross = offsetDot + Self.middle * (weights - step * codeSum)
        return metric.isInnerProduct
            ? ScalarQuery(codes: codes, constant: 1 - cross, factor: -step)
            : ScalarQuery(codes: codes, constant: squares - 2 * cross, factor: -2 * step)
    }

    /// The approximate distance from the parts.
    @inline(__always)
    public func distance(_ query: ScalarQuery, correction: Float, dot: Int32) -> Float {
        query.constant + correction + query.factor * Float(dot)
    }
}

/// A query prepared for scalar codes: `stride` signed bytes (padding 0), and the terms the
/// integer inner product is combined with.
public struct ScalarQuery: Sendable {
    public let codes: [Int8]
    public let constant: Float
    public let factor: Float
}

extension Metric {
    /// Dot and cosine (on unit vectors) compare by inner product; L2 by squared distance.
    var isInnerProduct: Bool { self != .l2 }
}
