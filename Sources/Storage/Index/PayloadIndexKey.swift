/// Keys of the payload index database: `[path length][path][type tag][sortable value]`, each
/// holding the sorted internal ids (4 bytes, big-endian) of the points with that value.
/// Big-endian, sign-flipped encodings make byte order equal value order, so a range is a
/// contiguous key range.
enum PayloadIndexKey {
    enum Tag: UInt8 {
        case bool = 1
        case integer = 2
        case double = 3
        case string = 4
        /// A string too long for an LMDB key: a prefix and a hash of the whole string.
        case longString = 5
        /// One token of a text index; tokens are kept apart from keyword strings so that a
        /// text index and a keyword index on one path could never be confused.
        case textToken = 6
        case longTextToken = 7
        /// Microseconds since the epoch, sortable like integers.
        case datetime = 8
    }

    /// Longest string stored verbatim: path (<= 128) + framing + this stays under LMDB's
    /// 511-byte key limit.
    static let maximumVerbatimStringBytes = 360

    static func prefix(path: PayloadPath, tag: Tag) -> [UInt8] {
        var writer = ByteWriter(capacity: path.rawValue.utf8.count + 16)
        let pathBytes = Array(path.rawValue.utf8)
        precondition(pathBytes.count <= PayloadPath.maximumIndexedPathBytes, "indexed paths are validated at creation")
        writer.append(UInt8(pathBytes.count))
        writer.append(contentsOf: pathBytes)
        writer.append(tag.rawValue)
        return writer.bytes
    }

    /// Every key the path has in this payload under an index of `type`.
    static func keys(for payload: [String: JSONValue], path: PayloadPath, type: PayloadIndexType) -> Set<[UInt8]> {
        var keys = Set<[UInt8]>()
        for leaf in path.leafValues(in: payload) {
            if case .text(let tokenizer) = type {
                guard let text = leaf.stringValue else { continue }
                for token in tokenizer.tokens(of: text) {
                    keys.insert(tokenKey(path: path, token))
                }
            } else if let key = key(path: path, type: type, value: leaf) {
                keys.insert(key)
            }
        }
        return keys
    }

    /// The key a leaf value is filed under, or nil if an index of `type` does not hold it.
    /// Integer and float indexes hold every number, integers and doubles apart, so both can
    /// answer match-integer and range conditions exactly. A text index files a value under
    /// several keys (see `keys(for:path:type:)`), so it has no single key here.
    static func key(path: PayloadPath, type: PayloadIndexType, value: JSONValue) -> [UInt8]? {
        switch (type, value) {
        case (.keyword, .string(let string)):
            return stringKey(path: path, string)
        case (.integer, .int(let integer)), (.float, .int(let integer)):
            return integerKey(path: path, integer)
        case (.integer, .double(let double)), (.float, .double(let double)):
            return doubleKey(path: path, double)
        case (.bool, .bool(let bool)):
            return prefix(path: path, tag: .bool) + [bool ? 1 : 0]
        case (.datetime, .string(let text)):
            return PayloadDatetime.microseconds(parsing: text).map { datetimeKey(path: path, $0) }
        default:
            return nil
        }
    }

    static func stringKey(path: PayloadPath, _ string: String) -> [UInt8] {
        verbatimOrHashedKey(path: path, string, verbatim: .string, hashed: .longString)
    }

    static func tokenKey(path: PayloadPath, _ token: String) -> [UInt8] {
        verbatimOrHashedKey(path: path, token, verbatim: .textToken, hashed: .longTextToken)
    }

    private static func verbatimOrHashedKey(path: PayloadPath, _ string: String, verbatim: Tag, hashed: Tag) -> [UInt8] {
        let utf8 = Array(string.utf8)
        if utf8.count <= maximumVerbatimStringBytes {
            return prefix(path: path, tag: verbatim) + utf8
        }
        var writer = ByteWriter()
        writer.append(contentsOf: prefix(path: path, tag: hashed))
        writer.append(contentsOf: utf8.prefix(maximumVerbatimStringBytes - 8))
        writer.appendBigEndian(fnv1a64(utf8))
        return writer.bytes
    }

    static func integerKey(path: PayloadPath, _ value: Int64) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(contentsOf: prefix(path: path, tag: .integer))
        writer.appendBigEndian(sortableBits(value))
        return writer.bytes
    }

    static func datetimeKey(path: PayloadPath, _ microseconds: Int64) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(contentsOf: prefix(path: path, tag: .datetime))
        writer.appendBigEndian(sortableBits(microseconds))
        return writer.bytes
    }

    static func doubleKey(path: PayloadPath, _ value: Double) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(contentsOf: prefix(path: path, tag: .double))
        writer.appendBigEndian(sortableBits(value))
        return writer.bytes
    }

    static func sortableBits(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: value) ^ (1 << 63)
    }

    static func integer(fromSortableBits bits: UInt64) -> Int64 {
        Int64(bitPattern: bits ^ (1 << 63))
    }

    /// Positive doubles get the sign bit set, negative ones are inverted, so unsigned order is
    /// numeric order. -0 is stored as +0 so that both compare equal, as they do numerically.
    static func sortableBits(_ value: Double) -> UInt64 {
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
    }

    static func double(fromSortableBits bits: UInt64) -> Double {
        Double(bitPattern: bits & (1 << 63) != 0 ? bits & ~(1 << 63) : ~bits)
    }

    /// The 8 bytes after `prefixLength`, as stored by `integerKey`/`doubleKey`/`datetimeKey`.
    static func trailingBits(_ key: [UInt8], prefixLength: Int) -> UInt64 {
        key[prefixLength...].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Internal ids as stored in keys and DUPFIXED values: 4 bytes, big-endian.
enum InternalIDBytes {
    static func encode(_ id: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: id >> 24), UInt8(truncatingIfNeeded: id >> 16), UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
    }

    /// Packed 4-byte ids (an index key's duplicates) in their stored order.
    static func decodeList(_ packed: [UInt8]) -> [UInt32] {
        packed.withUnsafeBytes { raw in
            (0 ..< raw.count / 4).map { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }
    }

    static func decode(_ bytes: some Collection<UInt8>) -> UInt32 {
        precondition(bytes.count == 4, "internal ids are 4 bytes")
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
