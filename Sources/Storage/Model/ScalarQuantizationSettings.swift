/// A collection's `quantization_config: {"scalar": {"type": "int8", "quantile", "always_ram"}}`:
/// its dense indexes also hold 7-bit codes of every vector and walk the graph on them, and the
/// float vectors re-rank the candidates.
public struct ScalarQuantizationSettings: Sendable, Hashable, Codable {
    /// The central share of the values the code range covers; 1 covers them all.
    public var quantile: Double
    public static let quantileRange = 0.5 ... 1.0

    public init(quantile: Double = 1) { self.quantile = quantile }

    public func problem() -> String? {
        Self.quantileRange.contains(quantile) ? nil : "quantile must lie in \(Self.quantileRange), got \(quantile)"
    }
}
