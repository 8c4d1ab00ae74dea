import Foundation
import Storage
import Testing

/// Every rejected request throws its specific error and leaves everything readable through the
/// API exactly as it was.
@Suite struct ValidationTests {
    let directory: TemporaryDirectory
    let store: Store
    let collection: CollectionStore
    let before: CollectionSnapshot

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store.temporary(in: directory, options: Store.Options(limits: WriteLimits(maximumPayloadBytes: 200)))
        collection = try store.createCollection(CollectionSchema(name: "docs", dimension: 3, distance: .euclid, payloadIndexes: ["k": .keyword]))
        try collection.upsert([
            PointInput(id: .number(1), vector: [1, 2, 3], payload: ["k": "a"]),
            PointInput(id: .number(2), vector: [4, 5, 6], payload: ["k": "b"]),
        ])
        before = try CollectionSnapshot(collection)
    }

    func expectUnchanged(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try CollectionSnapshot(collection) == before, sourceLocation: sourceLocation)
    }

    /// A good point first, so a half-applied batch would show.
    func batch(with bad: PointInput) -> [PointInput] {
        [PointInput(id: .number(3), vector: [0, 0, 1], payload: ["k": "c"]), bad, PointInput(id: .number(1), vector: [9, 9, 9])]
    }

    @Test func wrongDimension() throws {
        #expect(throws: StorageError.dimensionMismatch(point: .number(9), expected: 3, actual: 2)) {
            try collection.upsert(batch(with: PointInput(id: .number(9), vector: [1, 2])))
        }
        try expectUnchanged()
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteVector(_ bad: Float) throws {
        #expect(throws: StorageError.nonFiniteVector(point: .number(9), position: 1)) {
            try collection.upsert(batch(with: PointInput(id: .number(9), vector: [1, bad, 3])))
        }
        try expectUnchanged()
    }

    @Test func nonFinitePayloadNumber() throws {
        #expect(throws: StorageError.nonFinitePayload(point: .number(9), path: "x.y[1]")) {
            try collection.upsert(batch(with: PointInput(id: .number(9), vector: [1, 2, 3], payload: ["x": ["y": [1.0, .double(.nan)]]])))
        }
        try expectUnchanged()
    }

    @Test(arguments: [JSONValue.array([1]), .string("x"), .null, .int(3)])
    func payloadNotAnObject(_ payload: JSONValue) throws {
        #expect(throws: StorageError.payloadNotObject(point: .number(9))) {
            try collection.upsert(batch(with: PointInput(id: .number(9), vector: [1, 2, 3], payload: payload)))
        }
        #expect(throws: StorageError.payloadNotObject(point: nil)) {
            try collection.setPayload(payload, for: .ids([.number(1)]))
        }
        try expectUnchanged()
    }

    @Test func payloadTooLarge() throws {
        let big: JSONValue = ["text": .string(String(repeating: "x", count: 300))]
        #expect(throws: StorageError.payloadTooLarge(point: .number(9), bytes: 309, limit: 200)) {
            try collection.upsert(batch(with: PointInput(id: .number(9), vector: [1, 2, 3], payload: big)))
        }
        // Merging can push a stored payload over the limit too; that is caught in the transaction.
        let half: JSONValue = ["more": .string(String(repeating: "y", count: 150))]
        try collection.setPayload(half, for: .ids([.number(1)]))
        let changed = try CollectionSnapshot(collection)
        #expect(throws: StorageError.self) {
            try collection.setPayload(["again": .string(String(repeating: "z", count: 150))], for: .ids([.number(2), .number(1)]))
        }
        #expect(try CollectionSnapshot(collection) == changed)
    }

    @Test func payloadOperationOnMissingPoint() throws {
        #expect(throws: StorageError.pointNotFound(.number(77))) {
            try collection.setPayload(["k": "z"], for: .ids([.number(1), .number(77)]))
        }
        #expect(throws: StorageError.pointNotFound(.number(77))) {
            try collection.clearPayload(for: .ids([.number(77)]))
        }
        try expectUnchanged()
    }

    @Test func unknownAndDuplicateCollections() throws {
        #expect(throws: StorageError.collectionNotFound("nope")) { try store.collection(named: "nope") }
        #expect(throws: StorageError.collectionExists("docs")) {
            try store.createCollection(CollectionSchema(name: "docs", dimension: 8, distance: .dot))
        }
        #expect(try store.collection(named: "docs").schema().dimension == 3)
        try expectUnchanged()
    }

    @Test(arguments: ["", "has space", "slash/name", "ünïcode", "..", ".", String(repeating: "a", count: 256)])
    func invalidCollectionNames(_ name: String) throws {
        #expect {
            try store.createCollection(CollectionSchema(name: name, dimension: 3, distance: .dot))
        } throws: { error in
            guard case StorageError.invalidCollectionName(let rejected, _) = error else { return false }
            return rejected == name
        }
        #expect(try store.collectionNames() == ["docs"])
    }

    @Test func invalidSchemas() throws {
        for schema in [
            CollectionSchema(name: "a", dimension: 0, distance: .dot),
            CollectionSchema(name: "a", dimension: 65_537, distance: .dot),
            CollectionSchema(name: "a", dimension: 3, distance: .dot, hnsw: HNSWSettings(m: 1)),
            CollectionSchema(name: "a", dimension: 3, distance: .dot, embeddingModel: "no-version"),
        ] {
            #expect(throws: StorageError.self) { try store.createCollection(schema) }
        }
        #expect(throws: StorageError.self) {
            try store.createCollection(CollectionSchema(name: "a", dimension: 3, distance: .dot, payloadIndexes: ["bad..path": .keyword]))
        }
        #expect(try store.collectionNames() == ["docs"])
        #expect(try store.createCollection(CollectionSchema(name: "a", dimension: 65_536, distance: .dot)).count() == 0)
    }

    @Test func invalidLimits() throws {
        #expect(throws: StorageError.invalidLimit(0)) { try collection.scroll(limit: 0) }
        #expect(throws: StorageError.invalidLimit(-1)) { try collection.changes(after: 0, limit: -1) }
    }
}
