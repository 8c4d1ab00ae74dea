import Foundation
import Storage
import VectorIndex

/// The stored images of a set's secondary indexes, next to the primary's image in the same
/// blob store (the collection's for its original index, a build's own for a build).
enum BuildIndexImages {
    static func blobName(_ vector: String) -> String { "\(ServingCollection.indexBlobName).\(vector.isEmpty ? "-" : vector)" }

    /// Stores every secondary index's image, tagged with the set's sequence number.
    static func store(_ set: BuildIndexes, sequence: UInt64, in blobs: BlobStore) throws {
        for image in images(of: set, sequence: sequence) { try blobs.put(name: image.blob, bytes: image.bytes) }
    }

    /// The secondary indexes' images, taken now, with the blob name each is stored under.
    static func images(of set: BuildIndexes, sequence: UInt64) -> [(blob: String, bytes: [UInt8])] {
        set.secondary.map { name, index in (blobName(name), ServingIndexImage(sequence: sequence, snapshot: index.snapshot()).encoded) }
    }

    /// The secondary indexes the schema names, from their images when every one is stored at
    /// `sequence`; otherwise built again from the stored points (an image at another position,
    /// or a vector added since). Returns the indexes and the position to catch up from.
    static func load(schema: CollectionSchema, sequence: UInt64, from blobs: BlobStore, store: CollectionStore, threads: Int) throws
        -> (indexes: [String: any FieldIndex], sequence: UInt64) {
        var indexes: [String: any FieldIndex] = [:]
        guard !schema.namedVectors.isEmpty || !schema.sparseVectors.isEmpty else { return ([:], sequence) }
        do {
            for (name, configuration) in schema.namedVectors {
                guard let image = try image(name, at: sequence, in: blobs) else { throw LifecycleError.corruptIndexImage("missing") }
                let index = try HNSWIndex(snapshot: image)
                guard index.dimension == configuration.dimension else { throw LifecycleError.corruptIndexImage("dimension") }
                indexes[name] = DenseFieldIndex(index: index, distance: configuration.distance)
            }
            for (name, configuration) in schema.sparseVectors {
                guard let image = try image(name, at: sequence, in: blobs) else { throw LifecycleError.corruptIndexImage("missing") }
                indexes[name] = SparseFieldIndex(index: try SparseInvertedIndex(snapshot: image), modifier: configuration.modifier)
            }
            return (indexes, sequence)
        } catch {
            // An image that cannot be used is only a cache of the stored points.
            let built = try BuildIndexes.buildSecondary(store: store, schema: schema, threads: threads)
            return (built.indexes, min(sequence, built.sequence ?? sequence))
        }
    }

    private static func image(_ name: String, at sequence: UInt64, in blobs: BlobStore) throws -> Data? {
        guard let bytes = try blobs.get(name: blobName(name)) else { return nil }
        let image = try ServingIndexImage(decoding: bytes)
        return image.sequence == sequence ? image.snapshot : nil
    }
}
