import VectorKernels

/// What quantization a caller asks an index for: scalar int8 codes over the central `quantile`
/// of the values, or one bit per dimension.
public enum QuantizationKind: Sendable, Hashable {
    case scalar(quantile: Double)
    case binary(queryEncoding: BinaryQueryEncoding)
}

/// A trained quantizer, as the codes beside the graph were written by.
public enum VectorQuantizer: Sendable, Equatable {
    case scalar(ScalarQuantizer)
    case binary(BinaryQuantizer)

    /// Trains the kind on rows of stored vectors (already normalised for cosine).
    static func train(_ kind: QuantizationKind, values: [Float], dimension: Int, metric: Metric) -> VectorQuantizer {
        switch kind {
        case .scalar(let quantile): .scalar(ScalarQuantizer.train(values: values, dimension: dimension, metric: metric, quantile: quantile))
        case .binary(let encoding): .binary(BinaryQuantizer.train(values: values, dimension: dimension, metric: metric, queryEncoding: encoding))
        }
    }

    /// Code bytes per vector; binary rows are whole 64-bit words, so every row stays aligned.
    public var stride: Int {
        switch self {
        case .scalar(let scalar): scalar.stride
        case .binary(let binary): binary.words * MemoryLayout<UInt64>.stride
        }
    }

    public var kind: QuantizationKind {
        switch self {
        case .scalar(let scalar): .scalar(quantile: scalar.quantile)
        case .binary(let binary): .binary(queryEncoding: binary.queryEncoding)
        }
    }

    /// Writes `vector`'s codes and returns its correction (scalar codes' per-vector term;
    /// for binary codes, how many bits are set).
    func encode(_ vector: UnsafePointer<Float>, into codes: UnsafeMutablePointer<UInt8>) -> Float {
        switch self {
        case .scalar(let scalar):
            return scalar.encode(vector, into: codes)
        case .binary(let binary):
            let set = UnsafeMutableRawPointer(codes).withMemoryRebound(to: UInt64.self, capacity: binary.words) { binary.encode(vector, into: $0) }
            return Float(set)
        }
    }
}
