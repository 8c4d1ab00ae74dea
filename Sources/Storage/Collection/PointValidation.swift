/// A point checked and encoded before any transaction begins, so a bad batch fails whole.
struct PreparedPoint {
    let id: PointID
    let key: [UInt8]
    /// nil when the point has no primary vector (named-vector collections only).
    let vectorBytes: [UInt8]?
    let extraVectorBytes: [UInt8]?
    let record: PointRecord
    let payloadBytes: [UInt8]
}

extension CollectionStore {
    func prepare(_ input: PointInput, schema: CollectionSchema) throws -> PreparedPoint {
        // In the named form a point may carry any subset of the vectors.
        let primaryAbsent = input.vector.isEmpty && schema.vectorName != nil
        if !primaryAbsent {
            try checkDense(input.vector, point: input.id, dimension: schema.dimension, name: schema.vectorName)
        }
        for (name, vector) in input.namedVectors {
            guard let configuration = schema.namedVectors[name] else {
                throw StorageError.unknownVector(point: input.id, name: name, known: schema.vectorNames)
            }
            try checkDense(vector, point: input.id, dimension: configuration.dimension, name: name)
        }
        for name in input.sparseVectors.keys where schema.sparseVectors[name] == nil {
            throw StorageError.unknownVector(point: input.id, name: name, known: schema.vectorNames)
        }
        let (payload, payloadBytes) = try validatedPayload(input.payload, point: input.id)
        return PreparedPoint(
            id: input.id,
            key: input.id.storageKey,
            vectorBytes: primaryAbsent ? nil : VectorRecord.encode(input.vector),
            extraVectorBytes: ExtraVectorsRecord.encode(dense: input.namedVectors, sparse: input.sparseVectors),
            record: PointRecord(id: input.id, payload: payload, text: input.text),
            payloadBytes: payloadBytes
        )
    }

    private func checkDense(_ vector: [Float], point: PointID, dimension: Int, name: String?) throws {
        guard vector.count == dimension else {
            if let name {
                throw StorageError.namedDimensionMismatch(point: point, name: name, expected: dimension, actual: vector.count)
            }
            throw StorageError.dimensionMismatch(point: point, expected: dimension, actual: vector.count)
        }
        if let position = vector.firstIndex(where: { !$0.isFinite }) {
            throw StorageError.nonFiniteVector(point: point, position: position)
        }
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
