/// Marks what kind of environment a directory holds and its layout version, checked on open.
enum EnvironmentFormat {
    static let collection = RecordHeader("LCOL", version: 1, what: "collection environment")
    static let catalog = RecordHeader("LCAT", version: 1, what: "catalog environment")
    static let build = RecordHeader("LBLD", version: 1, what: "build environment")
    static let key = Array("format".utf8)

    /// Writes the marker into a new environment, or checks the one already there.
    static func stamp(_ format: RecordHeader, database: LMDBDatabase, in transaction: borrowing LMDBTransaction) throws {
        if let existing = try transaction.value(forKey: key, in: database) {
            let reader = try format.makeReader(existing)
            try reader.expectEnd()
        } else {
            try transaction.put(format.makeWriter().bytes, forKey: key, in: database)
        }
    }
}
