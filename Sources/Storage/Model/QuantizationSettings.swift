/// A collection's `quantization_config`: its dense indexes also hold codes of every vector and
/// walk the graph on them, and the float vectors re-rank the candidates.
/// - scalar (`{"scalar": {"type": "int8", "quantile"}}`): 8-bit codes, one byte per dimension,
///   each dimension with its own range;
/// - binary (`{"binary": {"encoding": "one_bit"}}`): one bit per dimension.
public struct QuantizationSettings: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case scalar, binary
    }

    /// How queries meet binary codes (Qdrant's `query_encoding`): as bits, or with 4 or 8 bits
    /// per dimension against the stored bits.
    public enum QueryEncoding: String, Sendable, Hashable, Codable {
        case binary, scalar4bits, scalar8bits
    }

    public var kind: Kind
    /// The central share of each dimension's values its scalar code range covers; 1 covers them all.
    public var quantile: Double
    /// For binary codes.
    public var queryEncoding: QueryEncoding
    public static let quantileRange = 0.5 ... 1.0

    public init(kind: Kind = .scalar, quantile: Double = 1, queryEncoding: QueryEncoding = .binary) {
        self.kind = kind
        self.quantile = quantile
        self.queryEncoding = queryEncoding
    }

    public static func binary(queryEncoding: QueryEncoding = .binary) -> QuantizationSettings {
        QuantizationSettings(kind: .binary, queryEncoding: queryEncoding)
    }

    public func problem() -> String? {
        Self.quantileRange.contains(quantile) ? nil : "quantile must lie in \(Self.quantileRange), got \(quantile)"
    }

    private enum CodingKeys: String, CodingKey {
        case kind, quantile
        case queryEncoding = "query_encoding"
    }

    /// Settings stored before binary quantization existed are scalar.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .scalar
        quantile = try container.decodeIfPresent(Double.self, forKey: .quantile) ?? 1
        queryEncoding = try container.decodeIfPresent(QueryEncoding.self, forKey: .queryEncoding) ?? .binary
    }
}
