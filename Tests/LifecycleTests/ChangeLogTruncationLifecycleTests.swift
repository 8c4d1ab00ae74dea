import Foundation
import Lifecycle
import Storage
import Testing
import VectorIndex

/// The log is truncated only up to what every follower (the stored serving image, ready
/// builds) has passed, and a restart after truncation replays the rest and loses nothing.
@Suite struct ChangeLogTruncationLifecycleTests {
    @Test func truncationWaitsForFollowersAndARestartLosesNothing() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vectors = clustered(1_200, dimension: 8)
        func input(_ row: Int) -> PointInput { PointInput(id: .number(UInt64(row)), vector: vectors[row]) }
        do {
            let engine = try Engine(dataDirectory: directory)
            let collection = try engine.createCollection(CollectionSchema(name: "c", dimension: 8, distance: .euclid))
            try collection.upsert((0 ..< 400).map(input))
            // Nothing is stored yet: the next open would replay from the start, so nothing goes.
            #expect(try collection.truncateChangeLog() == 0)

            try collection.persistIndex()
            let build = try BuildRunner(context: engine.lifecycle, threads: 2).run(collection: "c", parameters: HNSWParameters(m: 8, efConstruction: 50, ef: 32))
            #expect(build.status == .ready)
            try collection.upsert((400 ..< 800).map(input))
            try collection.persistIndex()
            // The ready build's stored index is at 400: the entries after it stay.
            #expect(try collection.truncateChangeLog() == 400)
            #expect(collection.changeLogEntries == 400)

            try engine.followReadyBuilds()
            #expect(try collection.truncateChangeLog() == 400)
            #expect(collection.changeLogEntries == 0)
            // Written after the last image: the restart must replay these from what is left.
            try collection.upsert((800 ..< 1_200).map(input))
        }
        let reopened = try Engine(dataDirectory: directory).collection(named: "c")
        #expect(reopened.loadedFromImage)
        #expect(reopened.liveCount == 1_200)
        for row in [0, 399, 400, 799, 800, 1_199] {
            let hits = try reopened.search(SearchRequest(vector: vectors[row], limit: 1, exact: true)).hits
            #expect(hits.first?.point.id == .number(UInt64(row)))
        }
    }
}
