import Foundation
import Storage
import Testing
import storage_crash_child

/// Runs `storage-crash-child` against one data directory, SIGKILLs it at a random moment,
/// five times over, then checks that every point it acknowledged is stored exactly and that
/// the change log has no gap.
@Suite struct CrashTests {
    static var childExecutable: URL {
        // The test binary and the child are built into the same products directory.
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "storage-crash-child")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) {
            return besideTests
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appending(path: ".build/release/storage-crash-child")
    }

    /// Starts the child, waits for its first acknowledgement, lets it run `runTime` more,
    /// kills it, and returns the ids it acknowledged.
    static func runAndKill(dataDirectory: URL, firstID: UInt64, runTime: TimeInterval) throws -> [UInt64] {
        let process = Process()
        process.executableURL = childExecutable
        process.arguments = [dataDirectory.path, String(firstID)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var received = output.fileHandleForReading.availableData
        Thread.sleep(forTimeInterval: runTime)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        received += output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(errorText.isEmpty, "child wrote to stderr: \(errorText)")
        #expect(process.terminationReason == .uncaughtSignal)
        // Only whole lines count: a line is printed after its commit returned.
        let text = String(decoding: received, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            line.hasPrefix("ack ") ? UInt64(line.dropFirst(4)) : nil
        }
    }

    @Test func acknowledgedWritesSurviveSIGKILL() throws {
        let directory = try TemporaryDirectory()
        let dataDirectory = directory.appending("data")
        var random = SystemRandomNumberGenerator()
        var acknowledged = Set<UInt64>()
        var nextID: UInt64 = 0
        for _ in 0 ..< 5 {
            let runTime = Double.random(in: 0.05 ... 0.4, using: &random)
            let ids = try Self.runAndKill(dataDirectory: dataDirectory, firstID: nextID, runTime: runTime)
            #expect(!ids.isEmpty)
            acknowledged.formUnion(ids)
            nextID = (ids.max() ?? nextID) + 1
        }

        let store = try Store(directory: dataDirectory)
        let collection = try store.collection(named: CrashWorkload.collectionName)
        let snapshot = try CollectionSnapshot(collection)
        let stored = Dictionary(uniqueKeysWithValues: snapshot.points.map { ($0.id, $0) })
        for id in acknowledged.sorted() {
            let expected = CrashWorkload.point(id)
            let point = stored[.number(id)]
            #expect(point?.vector == expected.vector, "point \(id)")
            #expect(point.map { JSONValue.object($0.payload) } == expected.payload, "point \(id)")
        }
        // Points committed but killed before their acknowledgement are allowed, and exact too.
        for point in snapshot.points {
            guard case .number(let id) = point.id else { Issue.record("unexpected id \(point.id)"); continue }
            #expect(point.vector == CrashWorkload.point(id).vector)
        }
        #expect(snapshot.changes.map(\.sequence) == Array(1 ... snapshot.lastSequence))
        #expect(snapshot.count == snapshot.points.count)
        #expect(try collection.count(filter: .matching("tag", .keyword("t3"))) == snapshot.points.filter { $0.payload["tag"] == "t3" }.count)
        print("crash test: \(acknowledged.count) acknowledged points, \(snapshot.lastSequence) changes over 5 kills")
    }
}
