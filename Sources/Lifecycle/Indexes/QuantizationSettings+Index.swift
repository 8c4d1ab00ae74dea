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

extension DenseVectorConfiguration {
    /// Where `on_disk` puts the vector's floats; `directory` is the collection's own, on the
    /// disk its data is on.
    func placement(in directory: URL) -> VectorPlacement {
        switch onDisk {
        case nil: .diskWhenQuantized(directory: directory)
        case true?: .disk(directory: directory)
        case false?: .memory
        }
    }
}

extension CollectionSchema {
    /// The placement of vector `name`'s floats (see `DenseVectorConfiguration.placement`).
    func vectorPlacement(_ name: String, in directory: URL) -> VectorPlacement {
        (dense(name) ?? DenseVectorConfiguration(dimension: indexDimension, distance: distance)).placement(in: directory)
    }
}
