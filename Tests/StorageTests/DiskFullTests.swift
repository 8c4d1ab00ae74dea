import Foundation
import Storage
import Testing

/// Needs a small file system to fill, so it runs only when one is named, e.g.
/// `mount -t tmpfs -o size=2m tmpfs /tmp/tinyfs` and
/// `LODESTONE_TEST_SMALL_FILESYSTEM=/tmp/tinyfs swift test -c release --filter DiskFull`.
@Suite struct DiskFullTests {
    static let smallFileSystem = ProcessInfo.processInfo.environment["LODESTONE_TEST_SMALL_FILESYSTEM"]

    @Test(.enabled(if: smallFileSystem != nil, "set LODESTONE_TEST_SMALL_FILESYSTEM to a small mounted file system"))
    func aFullDiskIsAClearErrorAndCommittedDataStaysReadable() throws {
        let root = URL(fileURLWithPath: Self.smallFileSystem!).appending(path: "lodestone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Space to give back once the disk is full, to show the store recovers without a restart.
        let ballast = root.appending(path: "ballast")
        try Data(count: 256 << 10).write(to: ballast)
        var committed = 0
        var failure: (any Error)?
        do {
            let store = try Store(directory: root, options: Store.Options(mapSize: 64 << 10))
            let collection = try store.createCollection(CollectionSchema(name: "fill", dimension: 64, distance: .dot))
            while failure == nil {
                do {
                    try collection.upsert((0 ..< 50).map { offset in
                        let id = committed + offset
                        return PointInput(id: .number(UInt64(id)), vector: vector(id, dimension: 64), payload: ["pad": .string(String(repeating: "x", count: 500))])
                    })
                    committed += 50
                } catch {
                    failure = error
                }
            }
            #expect(try collection.count() == committed)
            #expect(try collection.get(ids: [.number(UInt64(committed - 1))]).first?.vector == vector(committed - 1, dimension: 64))
            try FileManager.default.removeItem(at: ballast)
            try collection.upsert([PointInput(id: .number(1_000_000), vector: vector(1, dimension: 64))])
            committed += 1
        }
        guard case StorageError.diskFull = try #require(failure) else {
            Issue.record("expected diskFull, got \(String(describing: failure))")
            return
        }
        #expect(committed > 0)
        let reopened = try Store(directory: root)
        #expect(try reopened.collection(named: "fill").count() == committed)
    }
}
