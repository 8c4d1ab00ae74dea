/// The payload indexes of a collection as one unit: which keys a payload files under, and
/// keeping those keys in step with the points in the same write transaction.
struct PayloadIndexSet: Sendable {
    let database: LMDBDatabase
    let fields: [(path: PayloadPath, type: PayloadIndexType)]

    init(database: LMDBDatabase, schema: CollectionSchema) throws {
        self.database = database
        self.fields = try schema.payloadIndexes.sorted { $0.key < $1.key }.map { field, type in
            (try PayloadPath(parsing: field, forIndex: true), type)
        }
    }

    func type(of path: PayloadPath) -> PayloadIndexType? {
        fields.first { $0.path == path }?.type
    }

    /// Every index key this payload is filed under, across all indexed fields.
    func keys(for payload: [String: JSONValue]) -> Set<[UInt8]> {
        var keys = Set<[UInt8]>()
        for field in fields {
            keys.formUnion(PayloadIndexKey.keys(for: payload, path: field.path, type: field.type))
        }
        return keys
    }

    /// Moves a point's index entries from (`oldKeys`, `oldID`) to (`newKeys`, `newID`). When the
    /// id stays, only the keys that changed are touched.
    func update(
        from oldKeys: Set<[UInt8]>,
        oldID: UInt32?,
        to newKeys: Set<[UInt8]>,
        newID: UInt32?,
        in transaction: borrowing LMDBTransaction
    ) throws {
        let unchanged = oldID == newID ? oldKeys.intersection(newKeys) : []
        if let oldID {
            let value = InternalIDBytes.encode(oldID)
            for key in oldKeys.subtracting(unchanged) {
                try transaction.delete(key: key, value: value, in: database)
            }
        }
        if let newID {
            let value = InternalIDBytes.encode(newID)
            for key in newKeys.subtracting(unchanged) {
                try transaction.put(value, forKey: key, in: database, options: .noDuplicateData)
            }
        }
    }

    /// Removes every entry of one field (before a rebuild of that field).
    static func removeEntries(of path: PayloadPath, database: LMDBDatabase, in transaction: borrowing LMDBTransaction) throws {
        let pathPrefix = Array(PayloadIndexKey.prefix(path: path, tag: .bool).dropLast())
        var keys: [[UInt8]] = []
        try transaction.forEachKeyWithCount(in: database, from: pathPrefix) { key, _ in
            guard key.starts(with: pathPrefix) else { return false }
            keys.append(key)
            return true
        }
        for key in keys {
            try transaction.delete(key: key, in: database)
        }
    }
}
