import Foundation
import Storage
import Testing

/// Point reads map whole page-cache folios of the environment; every
/// `LMDBEnvironment.mappedReadsPerRelease` records read, the mapped pages are released, so a
/// serving process does not come to hold the file (vectors included) as it answers queries.
@Suite struct MappedReadReleaseTests {
    /// Resident bytes of this process's mappings of `file`, from /proc/self/smaps.
    func residentBytes(of file: String) throws -> Int {
        // Read to the end: /proc files report no size.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var total = 0, inside = false
        for line in smaps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                inside = line.hasSuffix(" " + file)
            } else if inside, line.hasPrefix("Rss:") {
                total += (Int(line.split(separator: " ")[1]) ?? 0) * 1024
            }
        }
        return total
    }

    @Test func readsReleaseTheMapAtEachBoundary() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "docs", dimension: 64, distance: .dot))
        let count = 12_000
        for start in stride(from: 0, to: count, by: 2_000) {
            try collection.upsert((start ..< start + 2_000).map { PointInput(id: .number(UInt64($0)), vector: vector($0, dimension: 64), payload: ["n": .int(Int64($0))]) })
        }
        let file = collection.directory.appendingPathComponent("data.mdb").standardizedFileURL.path
        let chunk = 1_024
        let ids = (0 ..< UInt32(count)).map { $0 }
        var read = 0
        // Up to the boundary the map only grows: every record read is mapped.
        while read + chunk < LMDBEnvironment.mappedReadsPerRelease {
            let points = try collection.points(internalIDs: Array(ids[(read % count) ..< min(count, read % count + chunk)]))
            #expect(points.contains { $0 != nil })
            read += points.count
        }
        let before = try residentBytes(of: file)
        #expect(before >= count * 64 * 4 / 2, "the reads mapped \(before) bytes")
        // The read that crosses the boundary releases what all of them mapped.
        let crossing = LMDBEnvironment.mappedReadsPerRelease - read
        _ = try collection.points(internalIDs: Array(ids[0 ..< crossing]))
        let after = try residentBytes(of: file)
        #expect(after < before / 4, "released \(before) to \(after) bytes")
    }
}
