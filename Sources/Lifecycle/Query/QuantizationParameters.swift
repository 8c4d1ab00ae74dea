import VectorIndex

/// Qdrant's per-query `params.quantization`: `ignore` walks the float vectors even when the
/// collection holds codes; otherwise the graph is walked on codes for `oversampling` × limit
/// candidates, re-ranked on the floats when `rescore` (Qdrant's defaults: false, true, 1).
public struct QuantizationParameters: Sendable, Equatable {
    public var ignore: Bool
    public var rescore: Bool
    public var oversampling: Double
    public static let oversamplingRange = 1.0 ... 100.0

    public init(ignore: Bool = false, rescore: Bool = true, oversampling: Double = 1) {
        self.ignore = ignore
        self.rescore = rescore
        self.oversampling = oversampling
    }

    /// How an index that holds codes is searched with these parameters (nil: on the floats).
    var search: QuantizedSearch? { ignore ? nil : QuantizedSearch(rescore: rescore, oversampling: oversampling) }
}
