/// A point checked and encoded before any transaction begins, so a bad batch fails whole.
struct PreparedPoint {
    let id: PointID
    let key: [UInt8]
    let vectorBytes: [UInt8]
    let record: PointRecord
    let payloadBytes: [UInt8]
}

extension CollectionStore {
    func prepare(_ input: PointInput, dimension: Int) throws -> PreparedPoint {
        guard input.vector.count == dimension else {
            throw StorageError.dimensionMismatch(point: input.id, expected: dimension, actual: input.vector.count)
        }
        if let position = input.vector.firstIndex(where: { !$0.isFinite }) {
            throw StorageError.nonFiniteVector(point: input.id, position: position)
        }
        let (payload, payloadBytes) = try validatedPayload(input.payload, point: input.id)
        return PreparedPoint(
            id: input.id,
            key: input.id.storageKey,
            vectorBytes: VectorRecord.encode(input.vector),
            record: PointRecord(id: input.id, payload: payload, text: input.text),
            payloadBytes: payloadBytes
        )
    }

    /// Checks that a payload is an object of finite numbers, not too deep nor too large; returns
    /// its members and their stored encoding.
    func validatedPayload(_ payload: JSONValue, point: PointID?) throws -> ([String: JSONValue], [UInt8]) {
        guard case .object(let members) = payload else {
            throw StorageError.payloadNotObject(point: point)
        }
        return (members, try validatedMembers(members, point: point))
    }

    func validatedMembers(_ members: [String: JSONValue], point: PointID?) throws -> [UInt8] {
        let value = JSONValue.object(members)
        if let path = value.firstNonFinitePath() {
            throw StorageError.nonFinitePayload(point: point, path: path)
        }
        guard value.depth <= JSONValue.maximumNestingDepth else {
            throw StorageError.invalidJSON("payload nested deeper than \(JSONValue.maximumNestingDepth)", offset: 0)
        }
        let bytes = PointRecord.encodedPayload(members)
        guard bytes.count <= limits.maximumPayloadBytes else {
            throw StorageError.payloadTooLarge(point: point, bytes: bytes.count, limit: limits.maximumPayloadBytes)
        }
        return bytes
    }
}
