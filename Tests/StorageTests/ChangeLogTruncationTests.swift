import Foundation
import Storage
import Testing

/// Truncation drops what every follower has passed, and a reader left behind is told so
/// instead of silently skipping changes.
@Suite struct ChangeLogTruncationTests {
    @Test func truncatedEntriesAreGoneAndAReaderBehindThemIsRefused() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "log", dimension: 2, distance: .dot))
        try collection.upsert((0 ..< 25_000).map { PointInput(id: .number(UInt64($0)), vector: [Float($0), 1]) })
        #expect(try collection.changeLogExtent().entries == 25_000)

        // More than one bounded transaction's worth.
        #expect(try collection.truncateChanges(through: 21_000) == 21_000)
        let extent = try collection.changeLogExtent()
        #expect(extent.oldest == 21_001 && extent.entries == 4_000)
        #expect(try collection.changes(after: 21_000, limit: 10).first?.sequence == 21_001)
        #expect(throws: StorageError.changeLogTruncated(after: 20_999, oldestRetained: 21_001)) {
            try collection.changes(after: 20_999, limit: 10)
        }

        // Never past the end, and the log goes on contiguously after truncation.
        #expect(try collection.truncateChanges(through: 99_999) == 4_000)
        #expect(try collection.changes(after: 25_000, limit: 10).isEmpty)
        #expect(throws: StorageError.changeLogTruncated(after: 10, oldestRetained: nil)) { try collection.changes(after: 10, limit: 10) }
        let next = try collection.upsert([PointInput(id: .number(1), vector: [5, 5])])
        #expect(next.map(\.sequence) == [25_001])
        #expect(try collection.changes(after: 25_000, limit: 10) == next)
        #expect(try collection.count() == 25_000)
        #expect(try collection.get(ids: [.number(1)])[0].vector == [5, 5])
    }
}
