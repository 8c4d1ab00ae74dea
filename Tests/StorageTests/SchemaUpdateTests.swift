import Foundation
import Storage
import Testing

/// What a collection may change after creation (model binding, quantization, `on_disk`), each
/// one transaction that survives a reopen; its vectors themselves never change.
@Suite struct SchemaUpdateTests {
    @Test func onDiskChangesByVectorNameAndSurvivesAReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("data")
        do {
            let store = try Store(directory: path)
            try store.createCollection(CollectionSchema(name: "named", dimension: 4, distance: .cosine, vectorName: "text",
                                                        namedVectors: ["image": DenseVectorConfiguration(dimension: 8, distance: .dot, onDisk: false)],
                                                        sparseVectors: ["bm25": SparseVectorConfiguration()]))
            try store.setVectorsOnDisk(collection: "named", ["text": true, "image": nil])
            let schema = try store.collection(named: "named").schema()
            #expect(schema.vectorsOnDisk == true && schema.namedVectors["image"]?.onDisk == nil)
            // A sparse vector has no floats to place, an unknown name is refused, and nothing of a refused change lands.
            for name in ["bm25", "nope"] {
                #expect(throws: StorageError.self) { try store.setVectorsOnDisk(collection: "named", ["text": false, name: true]) }
            }
            #expect(try store.collection(named: "named").schema() == schema)
            let sequence = try store.bindEmbeddingModel(collection: "named", model: "minilm@1")
            #expect(sequence == 0)
        }
        let reopened = try Store(directory: path).collection(named: "named").schema()
        #expect(reopened.vectorsOnDisk == true && reopened.namedVectors["image"]?.onDisk == nil)
        #expect(reopened.embeddingModel == "minilm@1" && reopened.dense("image")?.dimension == 8)
    }

    @Test func theUnnamedVectorIsTheEmptyName() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        try store.createCollection(CollectionSchema(name: "plain", dimension: 4, distance: .euclid))
        try store.setVectorsOnDisk(collection: "plain", ["": false])
        #expect(try store.collection(named: "plain").schema().dense("")?.onDisk == false)
        #expect(throws: StorageError.self) { try store.setVectorsOnDisk(collection: "plain", ["text": true]) }
    }
}
