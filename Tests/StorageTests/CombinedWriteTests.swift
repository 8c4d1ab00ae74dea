import Dispatch
import Foundation
import Storage
import Synchronization
import Testing

/// Group commit: concurrent writers share transactions, yet each request keeps its own
/// atomicity, its own error and a contiguous run of change-log entries.
@Suite struct CombinedWriteTests {
    /// One thread per writer: `concurrentPerform` would run only as many as there are cores.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let finished = DispatchGroup()
        for index in 0 ..< count {
            finished.enter()
            Thread {
                body(index)
                finished.leave()
            }.start()
        }
        finished.wait()
    }

    private func combinedCollection(_ directory: TemporaryDirectory, options: Store.Options = Store.Options()) throws -> (Store, CollectionStore) {
        let store = try Store.temporary(in: directory, options: options)
        let collection = try store.createCollection(CollectionSchema(name: "combined", dimension: 4, distance: .euclid))
        try collection.environment.combineWrites()
        return (store, collection)
    }

    @Test func concurrentWritersShareTransactionsAndEachGetsItsOwnChanges() throws {
        let directory = try TemporaryDirectory()
        let (_, collection) = try combinedCollection(directory)
        let writers = 16, writesPerWriter = 40, pointsPerWrite = 3
        let returned = Mutex<[[UInt64]]>([])
        let failures = Mutex<[String]>([])
        onThreads(writers) { writer in
            for write in 0 ..< writesPerWriter {
                let first = (writer * writesPerWriter + write) * pointsPerWrite
                let points = (first ..< first + pointsPerWrite).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: ["writer": .int(Int64(writer))]) }
                do {
                    let changes = try collection.upsert(points)
                    returned.withLock { $0.append(changes.map(\.sequence)) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let total = writers * writesPerWriter * pointsPerWrite
        #expect(try collection.count() == total)
        let sequences = returned.withLock { $0 }
        // Each request's entries are contiguous: requests are applied one after another.
        for run in sequences { #expect(run == Array(run[0] ..< run[0] + UInt64(pointsPerWrite))) }
        #expect(sequences.flatMap { $0 }.sorted() == Array(1 ... UInt64(total)))
        let counts = collection.environment.combinedWriteCounts
        #expect(counts.requests == UInt64(writers * writesPerWriter))
        #expect(counts.transactions < counts.requests, "16 concurrent writers never shared a transaction")
        for id in [0, total / 2, total - 1] {
            #expect(try collection.get(ids: [.number(UInt64(id))])[0].vector == vector(id))
        }
    }

    @Test func aFailingRequestUndoesOnlyItsOwnWrites() throws {
        let directory = try TemporaryDirectory()
        let (_, collection) = try combinedCollection(directory)
        try collection.upsert((0 ..< 10).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: [:]) })
        let outcomes = Mutex<[Int: Bool]>([:])
        onThreads(40) { request in
            // Odd requests name a missing point after an existing one: all-or-nothing says the
            // existing point's payload must stay untouched.
            let ids: [PointID] = request.isMultiple(of: 2) ? [.number(UInt64(request % 10))] : [.number(UInt64(request % 10)), .number(999)]
            let succeeded = (try? collection.setPayload(["request": .int(Int64(request))], for: .ids(ids))) != nil
            outcomes.withLock { $0[request] = succeeded }
        }
        let results = outcomes.withLock { $0 }
        #expect(results.filter { $0.value }.keys.sorted() == Array(stride(from: 0, to: 40, by: 2)))
        for point in try collection.get(ids: (0 ..< 10).map { .number(UInt64($0)) }) {
            guard case let .int(request)? = point.payload["request"] else { continue }
            #expect(request.isMultiple(of: 2), "a failed request's payload survived")
        }
        let log = try collection.changes(after: 0, limit: 1000)
        #expect(log.count == 10 + 20)
        #expect(log.map(\.sequence) == Array(1 ... 30))
    }

    @Test func combinedWritesGrowATinyMapAndKeepEverything() throws {
        let directory = try TemporaryDirectory()
        let (_, collection) = try combinedCollection(directory, options: Store.Options(mapSize: 64 << 10))
        let initial = collection.environment.mapSize
        onThreads(8) { writer in
            for batch in 0 ..< 10 {
                let first = (writer * 10 + batch) * 50
                let points = (first ..< first + 50).map { PointInput(id: .number(UInt64($0)), vector: vector($0), payload: ["pad": .string(String(repeating: "p", count: 300))]) }
                try? collection.upsert(points)
            }
        }
        #expect(collection.environment.mapSize > initial)
        #expect(try collection.count() == 4000)
        #expect(try collection.changes(after: 0, limit: 10_000).map(\.sequence) == Array(1 ... 4000))
    }
}
