/// A point's vectors beyond the primary one, stored under its internal id in `extra_vectors`:
/// named dense vectors, then sparse vectors, each group sorted by name, so equal vectors
/// encode to equal bytes (an upsert with unchanged vectors keeps its internal id).
enum ExtraVectorsRecord {
    static let header = RecordHeader("LXVC", version: 1, what: "named vectors record")

    /// nil when the point has no extra vectors (nothing is stored then).
    static func encode(dense: [String: [Float]], sparse: [String: SparseVectorValue]) -> [UInt8]? {
        guard !dense.isEmpty || !sparse.isEmpty else { return nil }
        var writer = header.makeWriter(capacity: 64 + dense.values.reduce(0) { $0 + $1.count * 4 })
        writer.appendVarint(dense.count)
        for name in dense.keys.sorted() {
            let vector = dense[name]!
            writer.appendLengthPrefixed(name)
            writer.appendVarint(vector.count)
            for element in vector { writer.appendLittleEndian(element.bitPattern) }
        }
        writer.appendVarint(sparse.count)
        for name in sparse.keys.sorted() {
            let vector = sparse[name]!
            writer.appendLengthPrefixed(name)
            writer.append(vector.length == nil ? 0 : 1)
            if let length = vector.length { writer.appendLittleEndian(length.bitPattern) }
            writer.appendVarint(vector.indices.count)
            for index in vector.indices { writer.appendLittleEndian(index) }
            for value in vector.values { writer.appendLittleEndian(value.bitPattern) }
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> (dense: [String: [Float]], sparse: [String: SparseVectorValue]) {
        var reader = try header.makeReader(bytes)
        var dense: [String: [Float]] = [:]
        for _ in 0 ..< (try reader.readLength()) {
            let name = try reader.readLengthPrefixedString()
            let count = try reader.readLength()
            var vector: [Float] = []
            vector.reserveCapacity(count)
            for _ in 0 ..< count { vector.append(Float(bitPattern: try reader.readLittleEndianUInt32())) }
            dense[name] = vector
        }
        var sparse: [String: SparseVectorValue] = [:]
        for _ in 0 ..< (try reader.readLength()) {
            let name = try reader.readLengthPrefixedString()
            var length: Float?
            switch try reader.readByte() {
            case 0: length = nil
            case 1: length = Float(bitPattern: try reader.readLittleEndianUInt32())
            case let flag: throw reader.corrupt("unknown length flag \(flag)")
            }
            let count = try reader.readLength()
            var indices: [UInt32] = []
            var values: [Float] = []
            indices.reserveCapacity(count)
            values.reserveCapacity(count)
            for _ in 0 ..< count { indices.append(try reader.readLittleEndianUInt32()) }
            for _ in 0 ..< count { values.append(Float(bitPattern: try reader.readLittleEndianUInt32())) }
            do {
                sparse[name] = try SparseVectorValue(indices: indices, values: values, length: length)
            } catch {
                throw reader.corrupt("sparse vector `\(name)`: \(error)")
            }
        }
        try reader.expectEnd()
        return (dense, sparse)
    }

    /// The names of the vectors in a record, dense and sparse alike, without decoding the
    /// vectors (for `has_vector`, which asks only whether a point has one).
    static func vectorNames(_ bytes: [UInt8]) throws -> Set<String> {
        var reader = try header.makeReader(bytes)
        var names = Set<String>()
        for _ in 0 ..< (try reader.readLength()) {
            names.insert(try reader.readLengthPrefixedString())
            _ = try reader.readBytes(try reader.readLength() * 4)
        }
        for _ in 0 ..< (try reader.readLength()) {
            names.insert(try reader.readLengthPrefixedString())
            if try reader.readByte() == 1 { _ = try reader.readBytes(4) }
            _ = try reader.readBytes(try reader.readLength() * 8)
        }
        return names
    }
}
