import Storage

extension Engine {
    /// Qdrant's collection update of `on_disk` for dense vectors by name (`""`: the unnamed
    /// vector; nil: back to the default). Placement changes where the float vectors live, not
    /// an answer, so it needs no build or gate: the schema is updated, the serving indexes move
    /// their floats now, and every later open, build and switch places them so. The audit
    /// trail records it as a collection update by `actor`.
    public func setVectorsOnDisk(collection name: String, _ placements: [String: Bool?], actor: String) throws {
        let schema = try store.setVectorsOnDisk(collection: name, placements)
        let live = openCollection(named: name)
        live?.placeVectors(as: schema)
        let described = placements.keys.sorted().map { vector in
            "`\(vector)` " + (placements[vector].flatMap { $0 }.map { $0 ? "on disk" : "in memory" } ?? "default")
        }
        _ = try lifecycle.audit.append(AuditEntry(collection: name, actor: actor, action: .collectionUpdate, fromBuild: live?.servingBuild,
                                                  toBuild: nil, reason: "PATCH vectors: " + described.joined(separator: ", ")))
    }
}

extension ServingCollection {
    /// Puts the serving indexes' float vectors where `schema`'s `on_disk` says. A build loaded
    /// beside them (canary, shadow, comparison) keeps its placement until it is switched to,
    /// which places it again.
    func placeVectors(as schema: CollectionSchema) {
        indexes.place(schema: schema, directory: store.directory)
    }
}
