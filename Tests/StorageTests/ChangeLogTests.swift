import Foundation
import Storage
import Testing

@Suite struct ChangeLogTests {
    @Test func sequenceNumbersAreContiguousAcrossMixedOperations() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "log", dimension: 2, distance: .dot, payloadIndexes: ["g": .keyword]))
        var returned: [ChangeEntry] = []
        returned += try collection.upsert((0 ..< 10).map { PointInput(id: .number(UInt64($0)), vector: [Float($0), 0], payload: ["g": $0 < 5 ? "low" : "high"]) })
        returned += try collection.upsert([PointInput(id: .number(3), vector: [9, 9]), PointInput(id: .number(4), vector: [4, 0], payload: ["g": "x"])])
        returned += try collection.setPayload(["extra": true], for: .filter(.matching("g", .keyword("high"))))
        returned += try collection.delete(ids: [.number(0), .number(1), .number(77)])
        returned += try collection.clearPayload(for: .ids([.number(2)]))
        #expect(throws: StorageError.self) { try collection.upsert([PointInput(id: .number(50), vector: [1])]) }
        returned += try collection.deletePayloadKeys(["extra"], for: .ids([.number(9)]))
        returned += try collection.delete(.filter(.matching("g", .keyword("high"))))

        let log = try collection.changes(after: 0, limit: 1000)
        #expect(log == returned)
        #expect(log.map(\.sequence) == Array(1 ... UInt64(log.count)))
        #expect(try collection.lastSequence() == UInt64(log.count))
        #expect(log.count == 10 + 2 + 5 + 2 + 1 + 1 + 5)

        // Kinds and ids as the operations imply.
        #expect(log[10] == ChangeEntry(sequence: 11, kind: .replace, pointID: .number(3), oldInternalID: 3, newInternalID: 10))
        #expect(log[11] == ChangeEntry(sequence: 12, kind: .update, pointID: .number(4), oldInternalID: 4, newInternalID: 4))
        #expect(log[17] == ChangeEntry(sequence: 18, kind: .delete, pointID: .number(0), oldInternalID: 0, newInternalID: nil))

        // Paging through the log.
        var paged: [ChangeEntry] = []
        var after: UInt64 = 0
        while true {
            let page = try collection.changes(after: after, limit: 4)
            guard let last = page.last else { break }
            paged += page
            after = last.sequence
        }
        #expect(paged == log)
        #expect(try collection.changes(after: 19, limit: 10).map(\.sequence) == Array(20 ... 26))
        #expect(try collection.changes(after: 26, limit: 10).isEmpty)
        #expect(try collection.count() == 3)
        #expect(try collection.changes(after: .max, limit: 10).isEmpty)
    }
}
