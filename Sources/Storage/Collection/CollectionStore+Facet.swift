/// A value of a facet and how many points have it.
public struct FacetHit: Sendable, Hashable {
    public var value: JSONValue
    public var count: Int
}

extension CollectionStore {
    /// Counts of the values at `field` among the points matching `filter` (each point counted
    /// once per distinct value), most frequent first, ties by value. Qdrant requires a payload
    /// index on the field, and so does this: a facet over an unindexed field would read every
    /// payload of the collection.
    public func facet(field: String, filter: Filter?, limit: Int) throws -> [FacetHit] {
        try ensureLive()
        let path = try PayloadPath(parsing: field, forIndex: true)
        return try environment.read { transaction in
            let state = try readState(in: transaction)
            guard let type = try schema(in: transaction, state: state).payloadIndexes[field], [.keyword, .integer, .bool].contains(type) else {
                throw StorageError.invalidSchema("facet needs a keyword, integer or bool payload index on `\(field)`; create one with PUT /collections/\(name)/index")
            }
            var counts: [JSONValue: Int] = [:]
            var payloads: [[String: JSONValue]] = []
            if let filter {
                for internalID in try matchingIDs(filter, state: state, in: transaction).sortedIDs {
                    payloads.append(try requireRecord(internalID, in: transaction).payload)
                }
            } else {
                try transaction.forEach(in: databases.records) { _, bytes in
                    payloads.append(try PointRecord(decoding: bytes).payload)
                    return true
                }
            }
            for payload in payloads {
                for value in Set(path.leafValues(in: payload)) where PayloadIndexKey.key(path: path, type: type, value: value) != nil {
                    counts[value, default: 0] += 1
                }
            }
            return counts.map { FacetHit(value: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : Self.facetOrder($0.value, $1.value) }
                .prefix(limit).map { $0 }
        }
    }

    private static func facetOrder(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case let (.string(a), .string(b)): a < b
        case let (.int(a), .int(b)): a < b
        case let (.bool(a), .bool(b)): !a && b
        default: "\(left)" < "\(right)"
        }
    }

    /// Drops a payload index: its entries and its schema entry, in one transaction. Reached
    /// through `Store.dropPayloadIndex`, which also updates the catalog's copy of the schema.
    func dropPayloadIndex(field: String) throws -> CollectionSchema {
        try ensureLive()
        let path = try PayloadPath(parsing: field, forIndex: true)
        return try environment.write { transaction in
            var state = try readState(in: transaction)
            var schema = try schema(in: transaction, state: state)
            guard schema.payloadIndexes[field] != nil else { throw StorageError.payloadIndexNotFound(collection: name, field: field) }
            try PayloadIndexSet.removeEntries(of: path, database: databases.payloadIndex, in: transaction)
            schema.payloadIndexes[field] = nil
            try writeSchema(schema, state: &state, in: transaction)
            try writeState(state, in: transaction)
            return schema
        }
    }
}
