import Foundation
import Storage
import Testing

@Suite struct PointStoreTests {
    let directory: TemporaryDirectory
    let store: Store
    let collection: CollectionStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store.temporary(in: directory)
        collection = try store.createCollection(CollectionSchema(name: "docs", dimension: 4, distance: .cosine, payloadIndexes: ["color": .keyword]))
    }

    static let uuidA = UUID(uuidString: "550e8400-e29b-41d4-a716-446655440000")!
    static let uuidB = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!

    @Test func upsertGetAndScrollInIDOrderWithNumbersBeforeUUIDs() throws {
        let changes = try collection.upsert([
            PointInput(id: .uuid(Self.uuidA), vector: vector(1), payload: ["color": "red", "n": 1], text: "alpha"),
            PointInput(id: .number(42), vector: vector(2), payload: ["color": "blue", "nested": ["x": 1.5]]),
            PointInput(id: .number(7), vector: vector(3)),
            PointInput(id: .uuid(Self.uuidB), vector: vector(4), payload: ["list": [1, 2, "three"]]),
        ])
        #expect(changes.map(\.kind) == [.insert, .insert, .insert, .insert])
        #expect(changes.map(\.sequence) == [1, 2, 3, 4])
        #expect(changes.map(\.newInternalID) == [0, 1, 2, 3])

        let fetched = try collection.get(ids: [.number(42), .uuid(Self.uuidA), .number(999)])
        #expect(fetched.map(\.id) == [.number(42), .uuid(Self.uuidA)])
        #expect(fetched[0].vector == vector(2))
        #expect(fetched[0].payload == ["color": "blue", "nested": ["x": 1.5]])
        #expect(fetched[1].text == "alpha")
        #expect(fetched[1].payload["n"] == .int(1))

        let first = try collection.scroll(limit: 3)
        #expect(first.points.map(\.id) == [.number(7), .number(42), .uuid(Self.uuidB)])
        #expect(first.points.allSatisfy { $0.vector == nil })
        #expect(first.nextOffset == .uuid(Self.uuidA))
        let second = try collection.scroll(from: first.nextOffset, limit: 3, withVector: true)
        #expect(second.points.map(\.id) == [.uuid(Self.uuidA)])
        #expect(second.points[0].vector == vector(1))
        #expect(second.nextOffset == nil)
        #expect(try collection.count() == 4)
    }

    @Test func replacingTheVectorAllocatesANewInternalIDAndPayloadOnlyKeepsIt() throws {
        try collection.upsert([PointInput(id: .number(1), vector: vector(1), payload: ["color": "red"])])
        let sameVector = try collection.upsert([PointInput(id: .number(1), vector: vector(1), payload: ["color": "green"])])
        #expect(sameVector[0].kind == .update)
        #expect(sameVector[0].oldInternalID == 0)
        #expect(sameVector[0].newInternalID == 0)

        let newVector = try collection.upsert([PointInput(id: .number(1), vector: vector(9), payload: ["color": "green"])])
        #expect(newVector[0].kind == .replace)
        #expect(newVector[0].oldInternalID == 0)
        #expect(newVector[0].newInternalID == 1)
        #expect(try collection.point(internalID: 0) == nil)
        #expect(try collection.point(internalID: 1)?.vector == vector(9))
        #expect(try collection.count() == 1)

        // The dead id is gone from the payload index too.
        #expect(try collection.matchingInternalIDs(.matching("color", .keyword("green"))).sortedIDs == [1])
        #expect(try collection.matchingInternalIDs(.matching("color", .keyword("red"))).isEmpty)

        // Ids are never reused, even after a delete.
        try collection.delete(ids: [.number(1)])
        let again = try collection.upsert([PointInput(id: .number(1), vector: vector(1))])
        #expect(again[0].newInternalID == 2)
    }

    @Test func batchedInternalIDLookupResolvesSearchResults() throws {
        try collection.upsert((0 ..< 5).map { PointInput(id: .number(UInt64($0 * 10)), vector: vector($0), payload: ["i": .int(Int64($0))]) })
        let resolved = try collection.points(internalIDs: [3, 99, 0])
        #expect(resolved.map { $0?.id } == [.number(30), nil, .number(0)])
        #expect(resolved[0]?.payload["i"] == .int(3))
        #expect(try collection.vectors(internalIDs: [4, 5]) == [vector(4), nil])
        var seen: [UInt32] = []
        let sequence = try collection.forEachVector { internalID, vector in
            seen.append(internalID)
            #expect(vector.count == 4)
        }
        #expect(seen == [0, 1, 2, 3, 4])
        #expect(sequence == 5)
    }

    @Test func payloadOperationsByIDsAndByFilter() throws {
        try collection.upsert([
            PointInput(id: .number(1), vector: vector(1), payload: ["color": "red", "a": ["b": 1, "c": 2], "keep": true]),
            PointInput(id: .number(2), vector: vector(2), payload: ["color": "blue", "keep": true]),
            PointInput(id: .number(3), vector: vector(3), payload: ["color": "red"]),
        ])
        let set = try collection.setPayload(["color": "green", "new": 5], for: .ids([.number(1)]))
        #expect(set.map(\.kind) == [.update])
        #expect(try collection.get(ids: [.number(1)])[0].payload == ["color": "green", "a": ["b": 1, "c": 2], "keep": true, "new": 5])

        try collection.deletePayloadKeys(["a.b", "new"], for: .ids([.number(1)]))
        #expect(try collection.get(ids: [.number(1)])[0].payload == ["color": "green", "a": ["c": 2], "keep": true])

        let overwritten = try collection.overwritePayload(["only": "this"], for: .filter(.matching("color", .keyword("red"))))
        #expect(overwritten.map(\.pointID) == [.number(3)])
        #expect(try collection.get(ids: [.number(3)])[0].payload == ["only": "this"])
        #expect(try collection.count(filter: .matching("color", .keyword("red"))) == 0)

        try collection.clearPayload(for: .ids([.number(2)]))
        #expect(try collection.get(ids: [.number(2)])[0].payload == [:])
        #expect(try collection.count(filter: .matching("color", .keyword("blue"))) == 0)
        #expect(try collection.count(filter: .matching("color", .keyword("green"))) == 1)

        // Internal ids never change for payload edits.
        #expect(try collection.get(ids: [.number(1), .number(2), .number(3)]).map(\.internalID) == [0, 1, 2])
    }

    @Test func deleteByIDsAndByFilterSkipsMissing() throws {
        try collection.upsert((1 ... 6).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: ["color": $0 % 2 == 0 ? "even" : "odd"]) })
        let byIDs = try collection.delete(ids: [.number(1), .number(100)])
        #expect(byIDs.map(\.pointID) == [.number(1)])
        #expect(byIDs[0].kind == .delete)
        #expect(byIDs[0].newInternalID == nil)
        let byFilter = try collection.delete(.filter(.matching("color", .keyword("even"))))
        #expect(Set(byFilter.map(\.pointID)) == [.number(2), .number(4), .number(6)])
        #expect(try collection.scroll(limit: 10).points.map(\.id) == [.number(3), .number(5)])
        #expect(try collection.count() == 2)
    }

    @Test func scrollWithFilterPagesThroughMatchesOnly() throws {
        try collection.upsert((0 ..< 50).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: ["color": $0 % 3 == 0 ? "red" : "blue", "n": .int(Int64($0))]) })
        for filter in [Filter.matching("color", .keyword("red")), Filter(must: [.field(FieldCondition(key: "n", predicate: .range(NumericRange(greaterThanOrEqual: 30))))])] {
            var ids: [PointID] = []
            var offset: PointID?
            repeat {
                let page = try collection.scroll(from: offset, limit: 4, filter: filter)
                ids += page.points.map(\.id)
                offset = page.nextOffset
            } while offset != nil
            let expected = (0 ..< 50).map { PointID.number(UInt64($0)) }.filter { id in
                guard case .number(let n) = id else { return false }
                return filter.matches(id: id, payload: ["color": n % 3 == 0 ? "red" : "blue", "n": .int(Int64(n))])
            }
            #expect(ids == expected)
            #expect(try collection.count(filter: filter) == expected.count)
        }
    }

    @Test func collectionsAreCreatedListedAndDeleted() throws {
        let other = CollectionSchema(name: "other.v2", dimension: 3, distance: .euclid, embeddingModel: "minilm@1")
        try store.createCollection(other)
        #expect(try store.collectionNames() == ["docs", "other.v2"])
        #expect(try store.collections().map(\.name) == ["docs", "other.v2"])
        #expect(try store.collection(named: "other.v2").schema() == other)

        try store.deleteCollection(named: "other.v2")
        #expect(try store.collectionNames() == ["docs"])
        #expect(throws: StorageError.collectionNotFound("other.v2")) { try store.collection(named: "other.v2") }
        #expect(throws: StorageError.collectionNotFound("other.v2")) { try store.deleteCollection(named: "other.v2") }

        // The name can be reused, and starts empty.
        let recreated = try store.createCollection(other)
        #expect(try recreated.count() == 0)
    }

    @Test func aStaleHandleFailsAfterDelete() throws {
        try collection.upsert([PointInput(id: .number(1), vector: vector(1))])
        try store.deleteCollection(named: "docs")
        #expect(throws: StorageError.collectionNotFound("docs")) { try collection.count() }
        #expect(throws: StorageError.collectionNotFound("docs")) { try collection.upsert([PointInput(id: .number(2), vector: vector(2))]) }
    }

    @Test func dataSurvivesReopeningAndASecondOpenIsRefused() throws {
        let other = try TemporaryDirectory()
        let path = other.appending("data")
        var before: CollectionSnapshot?
        do {
            let first = try Store(directory: path)
            let docs = try first.createCollection(CollectionSchema(name: "docs", dimension: 4, distance: .dot, payloadIndexes: ["color": .keyword]))
            try docs.upsert([PointInput(id: .number(5), vector: vector(5), payload: ["color": "red"], text: "hello")])
            try docs.setPayload(["extra": [1, 2]], for: .ids([.number(5)]))
            before = try CollectionSnapshot(docs)
            #expect(throws: StorageError.self) { try Store(directory: path) }
        }
        let reopened = try Store(directory: path)
        let docs = try reopened.collection(named: "docs")
        #expect(try CollectionSnapshot(docs) == before)
        #expect(try docs.count(filter: .matching("color", .keyword("red"))) == 1)
    }

    @Test func addingAPayloadIndexBackfillsExistingPoints() throws {
        try collection.upsert((0 ..< 20).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: ["size": .int(Int64($0))]) })
        let filter = Filter(must: [.field(FieldCondition(key: "size", predicate: .range(NumericRange(greaterThan: 4, lessThanOrEqual: 9))))])
        #expect(try collection.estimateSelectivity(of: filter).isCoveredByIndexes == false)
        let schema = try store.addPayloadIndex(collection: "docs", field: "size", type: .integer)
        #expect(schema.payloadIndexes == ["color": .keyword, "size": .integer])
        #expect(try collection.schema().payloadIndexes["size"] == .integer)
        let estimate = try collection.estimateSelectivity(of: filter)
        #expect(estimate.isCoveredByIndexes)
        #expect(estimate.lowerBound >= 1 && estimate.lowerBound <= 5)
        #expect(estimate.upperBound == 5)
        #expect(try collection.matchingInternalIDs(filter).sortedIDs == [5, 6, 7, 8, 9])
        #expect(throws: StorageError.payloadIndexExists(collection: "docs", field: "size")) {
            try store.addPayloadIndex(collection: "docs", field: "size", type: .integer)
        }
        // Points written after the index was added are indexed too.
        try collection.upsert([PointInput(id: .number(100), vector: vector(1), payload: ["size": 6])])
        #expect(try collection.count(filter: filter) == 6)
    }
}
