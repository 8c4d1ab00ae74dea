import Storage

/// The `vectors` of Qdrant's collection update (`VectorsConfigDiff`): per dense vector name
/// (`""` for the unnamed vector), a new `on_disk` or `memory`. Placement moves the float
/// vectors and changes no answer, so it applies at once; what would change answers is refused.
enum VectorsUpdate {
    /// The placements the body asks for, by vector name; a vector that says nothing about its
    /// placement is left out, so it keeps its own.
    static func placements(_ body: JSONFields, schema: CollectionSchema) throws -> [String: Bool?] {
        guard let vectors = try body.object("vectors") else { return [:] }
        var placements: [String: Bool?] = [:]
        for (name, value) in vectors.fields.sorted(by: { $0.key < $1.key }) where !value.isNull {
            guard schema.dense(name) != nil else {
                let dense = schema.vectorNames.filter { schema.dense($0) != nil }.map { "`\($0)`" }
                let known = dense.isEmpty ? "it has no dense vectors" : "its dense vectors are \(dense.joined(separator: ", "))"
                throw APIError.badRequest("`vectors` names `\(name)`, which is not a dense vector of this collection (\(known); the unnamed vector is `\"\"`)")
            }
            let parameters = try JSONFields(value, context: "`vectors.\(name)`")
            try parameters.refuseUnknown(allowed: ["on_disk", "memory", "hnsw_config", "quantization_config"])
            if parameters["hnsw_config"] != nil {
                throw APIError.badRequest("`hnsw_config` in `vectors.\(name)` cannot be updated: \(CollectionUpdateRoutes.refused["hnsw_config"]!)")
            }
            if parameters["quantization_config"] != nil {
                throw APIError.badRequest("`quantization_config` in `vectors.\(name)` is not supported: the collection's `quantization_config` applies to all its dense vectors")
            }
            if let onDisk = try CollectionRoutes.vectorsOnDisk(parameters) { placements[name] = onDisk }
        }
        return placements
    }
}
