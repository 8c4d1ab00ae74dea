import Foundation
import Storage
import VectorIndex

/// Every index of one build, one per vector name, at one change-log position: the primary
/// dense vector (the one builds re-parameterise, gates measure and a model binding fills)
/// and the collection's other named dense and sparse vectors.
public final class BuildIndexes: Sendable {
    let primaryName: String
    let primary: DenseFieldIndex
    /// The other vector names' indexes; each synchronises itself.
    let secondary: [String: any FieldIndex]

    init(primaryName: String, primary: DenseFieldIndex, secondary: [String: any FieldIndex] = [:]) {
        self.primaryName = primaryName
        self.primary = primary
        self.secondary = secondary
    }

    /// The primary vector's graph.
    public var hnsw: HNSWIndex { primary.index }

    /// The index of `name`, or nil when the collection has no such vector.
    func field(_ name: String) -> (any FieldIndex)? {
        name == primaryName ? primary : secondary[name]
    }

    /// Every index with its name, the primary first.
    var fields: [(name: String, index: any FieldIndex)] {
        [(primaryName, primary as any FieldIndex)] + secondary.keys.sorted().map { ($0, secondary[$0]!) }
    }

    /// Gives every dense graph the codes `settings` ask for, or none, and puts its floats where
    /// the schema's `on_disk` says, in the collection's `directory` (see `DenseFieldIndex.quantize`).
    func quantize(_ settings: QuantizationSettings?, schema: CollectionSchema, directory: URL) {
        for (name, field) in fields {
            (field as? DenseFieldIndex)?.quantize(settings, placing: schema.vectorPlacement(name, in: directory))
        }
    }

    /// Puts every dense graph's floats where the schema's `on_disk` says, codes unchanged.
    func place(schema: CollectionSchema, directory: URL) {
        for (name, field) in fields {
            (field as? DenseFieldIndex)?.index.placeVectors(schema.vectorPlacement(name, in: directory))
        }
    }

    /// See `HNSWIndex.releaseResidentVectors`: after a replay or construction touched them all.
    func releaseResidentVectors() {
        for (_, field) in fields { (field as? DenseFieldIndex)?.index.releaseResidentVectors() }
    }

    /// A set with a new primary index and the same secondary ones (a swap of the primary).
    func replacingPrimary(_ index: HNSWIndex) -> BuildIndexes {
        BuildIndexes(primaryName: primaryName, primary: DenseFieldIndex(index: index, distance: primary.distance), secondary: secondary)
    }

    /// Indexes for the schema's named dense and sparse vectors, built from one snapshot of the
    /// stored points; returns them with that snapshot's sequence number (nil: there are none).
    static func buildSecondary(store: CollectionStore, schema: CollectionSchema, threads: Int) throws
        -> (indexes: [String: any FieldIndex], sequence: UInt64?) {
        guard !schema.namedVectors.isEmpty || !schema.sparseVectors.isEmpty else { return ([:], nil) }
        var dense: [String: (ids: [UInt32], values: [Float])] = [:]
        var sparse: [String: [(UInt32, SparseVectorValue)]] = [:]
        let sequence = try store.forEachExtraVectors { internalID, denseVectors, sparseVectors in
            for (name, vector) in denseVectors where schema.namedVectors[name] != nil {
                dense[name, default: ([], [])].ids.append(internalID)
                dense[name, default: ([], [])].values.append(contentsOf: vector)
            }
            for (name, vector) in sparseVectors where schema.sparseVectors[name] != nil {
                sparse[name, default: []].append((internalID, vector))
            }
        }
        var indexes: [String: any FieldIndex] = [:]
        for (name, configuration) in schema.namedVectors {
            let collected = dense[name] ?? ([], [])
            let index = try HNSWIndex(dimension: configuration.dimension, metric: configuration.distance.metric,
                                      parameters: configuration.hnsw.indexParameters, capacity: max(collected.ids.count, 1024))
            if !collected.ids.isEmpty {
                try index.insert(contentsOf: VectorMatrix(dimension: configuration.dimension, values: collected.values),
                                 ids: collected.ids, threads: threads)
            }
            indexes[name] = DenseFieldIndex(index: index, distance: configuration.distance)
        }
        for (name, configuration) in schema.sparseVectors {
            let index = SparseInvertedIndex()
            for (id, vector) in sparse[name] ?? [] {
                try index.insert(id: id, vector: try SparseFieldIndex.convert(vector), length: vector.length)
            }
            indexes[name] = SparseFieldIndex(index: index, modifier: configuration.modifier)
        }
        return (indexes, sequence)
    }
}
