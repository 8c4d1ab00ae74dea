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
    /// Asks for the codes `settings` describe, or drops any (nil), and puts the float vectors
    /// where `placement` says (see `VectorPlacement`).
    func quantize(_ settings: QuantizationSettings?, placing placement: VectorPlacement) {
        guard let settings else {
            disableQuantization()
            return placeVectors(placement)
        }
        placeVectors(placement)
        quantize(settings.indexKind)
    }
}

extension CollectionSchema {
    /// Where vector `name`'s `on_disk` puts its floats (see `DenseVectorConfiguration.onDisk`);
    /// `directory` is the collection's own, on the disk its data is on.
    func vectorPlacement(_ name: String, in directory: URL) -> VectorPlacement {
        switch dense(name)?.onDisk {
        case nil: .diskWhenQuantized(directory: directory)
        case true?: .disk(directory: directory)
        case false?: .memory
        }
    }
}
