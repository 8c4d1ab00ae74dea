/// Values made of a small header followed by little-endian float32s (stored vectors), decoded
/// straight from the memory map: vectors are the largest values read on hot paths.
public struct LMDBFloatValue: Sendable, Hashable {
    /// The bytes before the floats.
    public var prefix: [UInt8]
    /// Nil when the value is shorter than the prefix or its tail is not whole floats.
    public var floats: [Float]?
}

extension LMDBTransaction {
    public func floatValue(forKey key: [UInt8], in database: LMDBDatabase, prefixLength: Int) throws -> LMDBFloatValue? {
        try withValue(forKey: key, in: database) { raw in
            Self.decodeFloatValue(raw, prefixLength: prefixLength)
        }
    }

    /// Visits every entry in key order while `body` returns true, values decoded as above.
    public func forEachFloatValue(
        in database: LMDBDatabase,
        prefixLength: Int,
        _ body: (_ key: [UInt8], _ value: LMDBFloatValue) throws -> Bool
    ) throws {
        try withCursor(on: database) { cursor in
            var entry = try cursor.visit(.first) { key, raw in (Array(key), Self.decodeFloatValue(raw, prefixLength: prefixLength)) }
            while let (key, value) = entry, try body(key, value) {
                entry = try cursor.visit(.next) { key, raw in (Array(key), Self.decodeFloatValue(raw, prefixLength: prefixLength)) }
            }
        }
    }

    private static func decodeFloatValue(_ raw: UnsafeRawBufferPointer, prefixLength: Int) -> LMDBFloatValue {
        guard raw.count >= prefixLength, (raw.count - prefixLength) % 4 == 0 else {
            return LMDBFloatValue(prefix: Array(raw.prefix(prefixLength)), floats: nil)
        }
        let count = (raw.count - prefixLength) / 4
        // LMDB values are only 2-byte aligned, hence unaligned loads.
        let floats = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0 ..< count {
                let bits = raw.loadUnaligned(fromByteOffset: prefixLength + index * 4, as: UInt32.self)
                buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
            }
            initialized = count
        }
        return LMDBFloatValue(prefix: Array(raw.prefix(prefixLength)), floats: floats)
    }
}
