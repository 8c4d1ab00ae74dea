import Hummingbird
import Lifecycle
import Storage

/// Qdrant's alias API: atomic batches of create/delete/rename, and listings.
struct AliasRoutes {
    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.on(router, .post, "/collections/aliases") { request, _ in
            let body = try await routes.fields(request)
            guard case let .array(items)? = body["actions"] else { throw APIError.badRequest("`actions` must be a list") }
            let actions = try items.enumerated().map { index, item in try Self.action(item, index: index) }
            try routes.engine.aliases.apply(actions) { try routes.engine.collectionExists($0) }
            return true
        }
        routes.on(router, .get, "/aliases") { _, _ in
            try Self.listing(try routes.engine.aliases.all())
        }
        routes.on(router, .get, "/collections/{name}/aliases") { _, context in
            let name = try context.parameters.require("name")
            guard try routes.engine.collectionExists(name) else { throw APIError.notFound("Collection `\(name)` doesn't exist!") }
            return try Self.listing(try routes.engine.aliases.all().filter { $0.collection == name })
        }
    }

    static func listing(_ aliases: [(alias: String, collection: String)]) throws -> JSONValue {
        ["aliases": .array(aliases.map { .object(["alias_name": .string($0.alias), "collection_name": .string($0.collection)]) })]
    }

    static func action(_ value: JSONValue, index: Int) throws -> AliasTable.Action {
        let action = try JSONFields(value, context: "actions[\(index)]")
        if let create = try action.object("create_alias") {
            return .create(alias: try create.requireString("alias_name"), collection: try create.requireString("collection_name"))
        }
        if let delete = try action.object("delete_alias") {
            return .delete(alias: try delete.requireString("alias_name"))
        }
        if let rename = try action.object("rename_alias") {
            return .rename(from: try rename.requireString("old_alias_name"), to: try rename.requireString("new_alias_name"))
        }
        throw APIError.badRequest("actions[\(index)] must be create_alias, delete_alias or rename_alias")
    }
}
