import Foundation
import Lifecycle
import Storage
import Testing

/// Kills a writing process with SIGKILL at random moments and checks that nothing it
/// acknowledged is lost: store, index and change log all agree after every restart.
@Suite struct CrashTests {
    /// Must match `lodestone crash-writer`'s points exactly.
    static func expectedVector(_ id: UInt64) -> [Float] {
        (0..<8).map { component -> Float in
            var state = id &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(component) &* 0xBF58_476D_1CE4_E5B9
            state = (state ^ (state >> 31)) &* 0x94D0_49BB_1331_11EB
            state ^= state >> 29
            return Float(state >> 40) / Float(1 << 24) * 20 - 10
        }
    }

    @Test("every acknowledged point survives SIGKILL with its exact vector and payload, findable, with no log gap")
    func killRepeatedly() throws {
        let directory = try LodestoneBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        var acknowledged = Set<UInt64>()
        var nextID: UInt64 = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let process = Process()
            process.executableURL = LodestoneBinary.url
            process.arguments = ["crash-writer", "--data", data.path, "--start", String(nextID)]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 150_000...700_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Only complete lines count: a line cut by the kill was never fully acknowledged.
            let complete = printed.hasSuffix("\n") ? printed : String(printed[..<(printed.lastIndex(of: "\n") ?? printed.startIndex)])
            let ids = complete.split(separator: "\n").compactMap { UInt64($0) }
            acknowledged.formUnion(ids)
            nextID = (ids.max() ?? nextID) + 1000

            let engine = try Engine(dataDirectory: data)
            guard try engine.collectionNames().contains("crash") else {
                #expect(ids.isEmpty, "round \(round): ids acknowledged but no collection")
                continue
            }
            let serving = try engine.collection(named: "crash")
            let stored = try serving.store.get(ids: acknowledged.sorted().map { .number($0) })
            #expect(stored.count == acknowledged.count, "round \(round): \(acknowledged.count - stored.count) acknowledged points lost")
            for point in stored {
                guard case let .number(id) = point.id else { continue }
                #expect(point.vector == Self.expectedVector(id))
                #expect(point.payload["id"] == .int(Int64(id)))
                #expect(point.payload["tag"] == .string("t\(id % 7)"))
            }
            for id in acknowledged.shuffled().prefix(30) {
                // Exact search over the index's own vectors: the point is in the index with its vector.
                // (A graph walk may, rarely, miss an unreachable node; that is recall, not durability.)
                let hits = try serving.search(SearchRequest(vector: Self.expectedVector(id), limit: 5, exact: true)).hits
                #expect(hits.contains { $0.point.id == .number(id) }, "round \(round): the index does not find \(id)")
            }
            let last = try serving.store.lastSequence()
            let log = try serving.store.changes(after: 0, limit: Int(last) + 10)
            #expect(log.map(\.sequence) == Array(1...max(last, 1)).prefix(log.count).map { $0 }, "change log has a gap")
            #expect(UInt64(log.count) == last)
        }
        #expect(acknowledged.count > 20, "the writer acknowledged too few points to test anything")
    }
}
