import Storage
import VectorIndex

extension QuantizationSettings {
    /// The codes an `HNSWIndex` trains for these settings.
    var indexKind: QuantizationKind {
        switch kind {
        case .scalar: .scalar(quantile: quantile)
        case .binary: .binary(queryEncoding: queryEncoding.indexEncoding)
        }
    }
}

extension QuantizationSettings.QueryEncoding {
    var indexEncoding: BinaryQueryEncoding {
        switch self {
        case .binary: .bits
        case .scalar4bits: .scalar4
        case .scalar8bits: .scalar8
        }
    }
}

extension HNSWIndex {
    /// Asks for the codes `settings` describe, or drops any (nil).
    func quantize(_ settings: QuantizationSettings?) {
        guard let settings else { return disableQuantization() }
        quantize(settings.indexKind)
    }
}
