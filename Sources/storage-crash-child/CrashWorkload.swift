import Storage

/// What the crash child writes, derived from the point id alone, so the test can check every
/// acknowledged point byte for byte. Public so the test imports it rather than restating it.
public enum CrashWorkload {
    public static let collectionName = "crash"

    public static let schema = CollectionSchema(
        name: collectionName,
        dimension: 8,
        distance: .cosine,
        payloadIndexes: ["tag": .keyword, "id": .integer]
    )

    public static func point(_ id: UInt64) -> PointInput {
        PointInput(
            id: .number(id),
            vector: (0 ..< 8).map { Float(id) * 0.25 + Float($0) },
            payload: [
                "id": .int(Int64(id)),
                "tag": .string("t\(id % 5)"),
                "even": .bool(id % 2 == 0),
                "blob": .string(String(repeating: "x", count: Int(id % 97))),
            ]
        )
    }
}
