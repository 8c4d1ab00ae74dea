import Foundation
import Lifecycle
import Storage
import Testing

/// The change log between a `wait=false` acknowledgement and the index is a bounded queue: a
/// write that would leave more than the limit unapplied waits for the index to catch up.
@Suite struct IndexBacklogTests {
    @Test("wait=false writes never leave more than the backlog limit for the index, and all of it is applied in the end")
    func backlogIsBounded() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Engine(dataDirectory: directory, indexBacklogLimit: 100)
        let collection = try engine.createCollection(CollectionSchema(name: "b", dimension: 8, distance: .euclid))
        let vectors = clustered(3_000, dimension: 8)
        for batch in 0 ..< 10 {
            let slice = Array(vectors[(batch * 300) ..< ((batch + 1) * 300)])
            let last = try collection.upsert(points(slice, firstID: UInt64(batch * 300)), wait: false)
            #expect(collection.lastAppliedSequence + 100 >= last, "batch \(batch): applied \(collection.lastAppliedSequence), logged \(last)")
        }
        let deadline = Date().addingTimeInterval(60)
        while collection.indexBacklog > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(collection.indexBacklog == 0)
        let hit = try collection.search(SearchRequest(vector: vectors[2_999], limit: 1, exact: true)).hits.first
        #expect(hit?.point.id == .number(2_999))
    }
}
