/// Reads what `ByteWriter` wrote. Stored bytes are outside input, so running off the end or a
/// malformed field throws `corruptRecord` instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let what: String

    init(_ bytes: [UInt8], offset: Int = 0, what: String) {
        self.bytes = bytes
        self.offset = offset
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remainingCount: Int { bytes.count - offset }

    func corrupt(_ reason: String) -> StorageError {
        .corruptRecord("\(what): \(reason) at byte \(offset)")
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remainingCount else {
            throw corrupt("needs \(count) bytes, \(remainingCount) left")
        }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    mutating func readByte() throws -> UInt8 {
        try take(1).first!
    }

    mutating func readBytes(_ count: Int) throws -> [UInt8] {
        Array(try take(count))
    }

    mutating func readBigEndianUInt16() throws -> UInt16 {
        try take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func readBigEndianUInt32() throws -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readBigEndianUInt64() throws -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func readLittleEndianUInt32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readLittleEndianUInt64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw corrupt("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A length or count, bounded by what is left so a corrupt value cannot ask for gigabytes.
    mutating func readLength() throws -> Int {
        let value = try readVarint()
        guard value <= UInt64(remainingCount) else {
            throw corrupt("length \(value) exceeds the \(remainingCount) bytes left")
        }
        return Int(value)
    }

    mutating func readSignedVarint() throws -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func readLengthPrefixedString() throws -> String {
        let utf8 = try take(try readLength())
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw corrupt("string is not valid UTF-8")
        }
        return string
    }

    mutating func readLengthPrefixedBytes() throws -> [UInt8] {
        try readBytes(try readLength())
    }

    func expectEnd() throws {
        guard isAtEnd else { throw corrupt("\(remainingCount) unexpected trailing bytes") }
    }
}
