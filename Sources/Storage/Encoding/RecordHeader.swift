/// The 6 bytes that start every record Lodestone stores: a 4-byte magic naming the record kind
/// and a 2-byte format version. Readers check both, so a foreign or future record is an error,
/// not garbage.
struct RecordHeader: Sendable, Hashable {
    let magic: [UInt8]
    let version: UInt16
    let what: String

    init(_ magic: String, version: UInt16, what: String) {
        let bytes = Array(magic.utf8)
        precondition(bytes.count == 4, "record magics are four ASCII bytes")
        self.magic = bytes
        self.version = version
        self.what = what
    }

    static let byteCount = 6

    func write(into writer: inout ByteWriter) {
        writer.append(contentsOf: magic)
        writer.appendBigEndian(version)
    }

    func makeWriter(capacity: Int = 64) -> ByteWriter {
        var writer = ByteWriter(capacity: capacity)
        write(into: &writer)
        return writer
    }

    /// A reader positioned after a checked header.
    func makeReader(_ bytes: [UInt8]) throws -> ByteReader {
        var reader = ByteReader(bytes, what: what)
        let found = try reader.readBytes(4)
        guard found == magic else {
            throw StorageError.corruptRecord("\(what): expected magic \(String(decoding: magic, as: UTF8.self)), found \(found)")
        }
        let foundVersion = try reader.readBigEndianUInt16()
        guard foundVersion == version else {
            throw StorageError.unsupportedFormat(what: what, found: Int(foundVersion), supported: Int(version))
        }
        return reader
    }
}
