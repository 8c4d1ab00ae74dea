/// New vectors for an existing point (`PUT .../points/vectors`): only the vectors named here
/// change; `primary` nil leaves the primary vector as it is.
public struct VectorUpdate: Sendable, Hashable {
    public var id: PointID
    public var primary: [Float]?
    public var namedVectors: [String: [Float]]
    public var sparseVectors: [String: SparseVectorValue]

    public init(id: PointID, primary: [Float]? = nil, namedVectors: [String: [Float]] = [:], sparseVectors: [String: SparseVectorValue] = [:]) {
        self.id = id
        self.primary = primary
        self.namedVectors = namedVectors
        self.sparseVectors = sparseVectors
    }
}

extension CollectionStore {
    /// Replaces some vectors of existing points, keeping their payload and text, in one
    /// transaction; every id must exist. Each changed point gets a new internal id (the
    /// indexes see a replace), exactly as an upsert with new vectors does.
    @discardableResult
    public func updateVectors(_ updates: [VectorUpdate]) throws -> [ChangeEntry] {
        try ensureLive()
        let schema = cachedSchema()
        return try environment.combinedWrite { [self] transaction in
            var state = try readState(in: transaction)
            let indexes = try payloadIndexes(in: transaction, state: state)
            var changes: [ChangeEntry] = []
            for update in updates {
                guard let internalID = try internalID(of: update.id.storageKey, in: transaction) else {
                    throw StorageError.pointNotFound(update.id)
                }
                let current = try loadPoint(internalID, withVector: true, in: transaction)
                var input = PointInput(id: current.id, vector: update.primary ?? current.vector ?? [], payload: .object(current.payload),
                                       text: current.text, namedVectors: current.namedVectors, sparseVectors: current.sparseVectors)
                input.namedVectors.merge(update.namedVectors) { _, new in new }
                input.sparseVectors.merge(update.sparseVectors) { _, new in new }
                changes.append(try applyUpsert(try prepare(input, schema: schema), indexes: indexes, state: &state, in: transaction))
            }
            try writeState(state, in: transaction)
            return changes
        }
    }

    /// Removes the named vectors from the selected points (`POST .../points/vectors/delete`).
    /// The primary vector can be removed only in the named form.
    @discardableResult
    public func deleteVectors(_ names: [String], for selector: PointSelector) throws -> [ChangeEntry] {
        try ensureLive()
        let schema = cachedSchema()
        for name in names where !schema.vectorNames.contains(name) {
            throw StorageError.invalidSchema("the collection has no vector named `\(name)`; its vectors are \(schema.vectorNames.map { "`\($0)`" }.joined(separator: ", "))")
        }
        return try environment.combinedWrite { [self] transaction in
            var state = try readState(in: transaction)
            let indexes = try payloadIndexes(in: transaction, state: state)
            var changes: [ChangeEntry] = []
            for (internalID, _) in try selectedPoints(selector, requireAll: false, state: state, in: transaction) {
                let current = try loadPoint(internalID, withVector: true, in: transaction)
                var input = PointInput(id: current.id, vector: current.vector ?? [], payload: .object(current.payload), text: current.text,
                                       namedVectors: current.namedVectors, sparseVectors: current.sparseVectors)
                for name in names {
                    if name == schema.primaryVectorName { input.vector = [] }
                    input.namedVectors[name] = nil
                    input.sparseVectors[name] = nil
                }
                changes.append(try applyUpsert(try prepare(input, schema: schema), indexes: indexes, state: &state, in: transaction))
            }
            try writeState(state, in: transaction)
            return changes
        }
    }
}
