import VectorKernels

/// Scalar quantization as Qdrant configures it (`{"scalar": {"type": "int8", "quantile"}}`):
/// one affine map for the whole index, x ≈ offset + scale·q with q in 0...127, its range the
/// central `quantile` of the values (so a few outliers do not stretch it). Seven bits rather
/// than eight let the AVX2 and VNNI byte kernels multiply without saturating.
///
/// Every distance becomes `constant(query) + correction(vector) + factor · (q·p)`, from one
/// integer inner product and one float per stored vector:
/// - inner product (dot, and cosine on unit vectors): 1 - x·y with
///   x·y ≈ d·o² + s·o·(Σq + Σp) + s²·(q·p);
/// - squared L2: ‖x - y‖² ≈ s²·(Σq² + Σp² - 2·q·p).
public struct ScalarQuantizer: Sendable, Equatable {
    public let dimension: Int
    /// Code bytes per vector: the dimension padded for the kernels (padding codes are 0).
    public let stride: Int
    public let metric: Metric
    public let offset: Float
    public let scale: Float
    public let quantile: Double
    static let levels: Float = 127

    public init(dimension: Int, metric: Metric, offset: Float, scale: Float, quantile: Double) {
        self.dimension = dimension
        self.stride = CodeKernel.paddedLength(dimension)
        self.metric = metric
        self.offset = offset
        self.scale = scale > 0 && scale.isFinite ? scale : 1
        self.quantile = quantile
    }

    /// Fits the range to the central `quantile` of `values` (every coordinate of a sample of
    /// the stored vectors, already normalised for cosine).
    public static func train(values: [Float], dimension: Int, metric: Metric, quantile: Double) -> ScalarQuantizer {
        let quantile = quantile.isNaN ? 1 : min(max(quantile, 0.5), 1)
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return ScalarQuantizer(dimension: dimension, metric: metric, offset: -1, scale: 2 / levels, quantile: quantile) }
        let sorted = finite.sorted()
        let tail = (1 - quantile) / 2
        let low = sorted[Int((Double(sorted.count - 1) * tail).rounded(.down))]
        let high = sorted[Int((Double(sorted.count - 1) * (1 - tail)).rounded(.up))]
        let span = high > low ? high - low : max(abs(low), 1)
        return ScalarQuantizer(dimension: dimension, metric: metric, offset: low, scale: span / levels, quantile: quantile)
    }

    /// Writes the codes of `vector` (`stride` bytes, padding zeroed) and returns its correction.
    public func encode(_ vector: UnsafePointer<Float>, into codes: UnsafeMutablePointer<UInt8>) -> Float {
        var sum = 0, squares = 0
        for index in 0 ..< dimension {
            let level = min(max(((vector[index] - offset) / scale).rounded(), 0), Self.levels)
            let code = level.isNaN ? 0 : Int(level)
            codes[index] = UInt8(code)
            sum += code
            squares += code * code
        }
        (codes + dimension).initialize(repeating: 0, count: stride - dimension)
        return metric.isInnerProduct ? -scale * offset * Float(sum) : scale * scale * Float(squares)
    }

    /// The query's own term of the distance (see the type's note), for codes `encode` wrote.
    public func constant(codes: UnsafePointer<UInt8>) -> Float {
        var sum = 0, squares = 0
        for index in 0 ..< dimension {
            let code = Int(codes[index])
            sum += code
            squares += code * code
        }
        return metric.isInnerProduct
            ? 1 - Float(dimension) * offset * offset - scale * offset * Float(sum)
            : scale * scale * Float(squares)
    }

    /// What the integer inner product is multiplied by.
    public var factor: Float { metric.isInnerProduct ? -scale * scale : -2 * scale * scale }

    /// The approximate distance from the parts.
    @inline(__always)
    public func distance(constant: Float, correction: Float, dot: UInt32) -> Float {
        constant + correction + factor * Float(dot)
    }
}

extension Metric {
    /// Dot and cosine (on unit vectors) compare by inner product; L2 by squared distance.
    var isInnerProduct: Bool { self != .l2 }
}
