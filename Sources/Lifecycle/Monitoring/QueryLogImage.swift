import Foundation

/// The stored form of a query log (a blob in the collection's environment), so drift
/// references and recall-check queries survive a restart: magic and version, then the
/// reference window and the logged queries, little-endian.
enum QueryLogImage {
    static let magic: [UInt8] = Array("LDQL".utf8)
    static let version: UInt32 = 1
    static let blobName = "query-log"

    struct Contents {
        var logged: Int
        var referenceBuild: Int?
        var referenceSince: Date
        var reference: [LoggedQuery]
        var entries: [LoggedQuery]
    }

    static func encode(_ contents: Contents) -> [UInt8] {
        var writer = Writer()
        writer.bytes += magic
        writer.u32(version)
        writer.u64(UInt64(contents.logged))
        writer.u64(contents.referenceBuild.map { UInt64($0) + 1 } ?? 0)
        writer.f64(contents.referenceSince.timeIntervalSinceReferenceDate)
        for list in [contents.reference, contents.entries] {
            writer.u32(UInt32(list.count))
            for entry in list {
                writer.f64(entry.at.timeIntervalSinceReferenceDate)
                writer.u64(UInt64(entry.serial))
                writer.u32(UInt32(entry.build))
                writer.floats(entry.vector)
                writer.floats(entry.scores)
                if let text = entry.text {
                    writer.u32(UInt32(text.utf8.count))
                    writer.bytes += Array(text.utf8)
                } else {
                    writer.u32(UInt32.max)
                }
            }
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Contents {
        var reader = Reader(bytes: bytes)
        guard try reader.take(4) == magic else { throw LifecycleError.corruptIndexImage("query log: bad magic number") }
        let version = try reader.u32()
        guard version == Self.version else { throw LifecycleError.corruptIndexImage("query log: format version \(version)") }
        let logged = Int(try reader.u64())
        let build = try reader.u64()
        let since = Date(timeIntervalSinceReferenceDate: try reader.f64())
        var lists: [[LoggedQuery]] = []
        for _ in 0 ..< 2 {
            var list: [LoggedQuery] = []
            for _ in 0 ..< Int(try reader.u32()) {
                let at = Date(timeIntervalSinceReferenceDate: try reader.f64())
                let serial = Int(try reader.u64()), entryBuild = Int(try reader.u32())
                let vector = try reader.floats(), scores = try reader.floats()
                let length = try reader.u32()
                let text = length == UInt32.max ? nil : String(decoding: try reader.take(Int(length)), as: UTF8.self)
                list.append(LoggedQuery(at: at, serial: serial, build: entryBuild, vector: vector, text: text, scores: scores))
            }
            lists.append(list)
        }
        return Contents(logged: logged, referenceBuild: build == 0 ? nil : Int(build - 1), referenceSince: since,
                        reference: lists[0], entries: lists[1])
    }

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        mutating func f64(_ value: Double) { u64(value.bitPattern) }
        mutating func floats(_ values: [Float]) {
            u32(UInt32(values.count))
            for value in values { u32(value.bitPattern) }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0
        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw LifecycleError.corruptIndexImage("query log: truncated") }
            defer { offset += count }
            return Array(bytes[offset ..< offset + count])
        }
        mutating func u32() throws -> UInt32 { try take(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) } }
        mutating func u64() throws -> UInt64 { try take(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
        mutating func floats() throws -> [Float] {
            let count = Int(try u32())
            guard count <= (bytes.count - offset) / 4 else { throw LifecycleError.corruptIndexImage("query log: truncated") }
            return try (0 ..< count).map { _ in Float(bitPattern: try u32()) }
        }
    }
}
