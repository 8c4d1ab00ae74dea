import Foundation
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
    /// Asks for the codes `settings` describe, or drops any (nil). With codes, the float
    /// vectors move to a file in `directory`, the collection's own (see `pageVectorsWhenQuantized`).
    func quantize(_ settings: QuantizationSettings?, pagingVectorsIn directory: URL) {
        guard let settings else { return disableQuantization() }
        pageVectorsWhenQuantized(in: directory)
        quantize(settings.indexKind)
    }
}
