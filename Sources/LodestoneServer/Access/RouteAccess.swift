/// What a route needs from the caller's credential. Qdrant's model: the API key (global
/// manage) may do everything, the read-only key (global read) may read everything, and a JWT
/// may grant either of those or read / read-write on named collections.
enum RouteAccess: String, Sendable, CaseIterable {
    /// Probes, the service banner, the OpenAPI document and the console's static files: no data.
    case open
    /// Any valid credential: embedding text and listing collections (filtered to those the
    /// credential may read) are useful to a token scoped to one collection.
    case authenticated
    /// Reads about the whole server (metrics, registry, telemetry, every alias): global read.
    case readServer = "read-server"
    /// Changes to the whole server (collections, aliases, the registry): global manage.
    case manageServer = "manage-server"
    /// Reads one collection (the path's `{name}`): global read, or `r` / `rw` on it.
    case readCollection = "read-collection"
    /// Writes one collection's points and runs its lifecycle: global manage, or `rw` on it.
    case writeCollection = "write-collection"

    /// The one table of what every route needs. Registering a route that is missing here
    /// stops the server at start, and a test checks it against `openapi.json`'s
    /// `x-lodestone-access`.
    static let table: [String: RouteAccess] = [
        "GET /": .open,
        "GET /healthz": .open,
        "GET /livez": .open,
        "GET /readyz": .open,
        "GET /openapi.json": .open,
        "GET /dashboard": .open,
        "GET /dashboard/{file}": .open,
        "GET /metrics": .readServer,
        "GET /telemetry/series": .readServer,

        "GET /collections": .authenticated,
        "PUT /collections/{name}": .manageServer,
        "DELETE /collections/{name}": .manageServer,
        "PATCH /collections/{name}": .manageServer,
        "GET /collections/{name}": .readCollection,
        "GET /collections/{name}/exists": .readCollection,
        "PUT /collections/{name}/index": .writeCollection,
        "DELETE /collections/{name}/index/{field}": .writeCollection,
        "POST /collections/{name}/facet": .readCollection,

        "GET /aliases": .readServer,
        "POST /collections/aliases": .manageServer,
        "GET /collections/{name}/aliases": .readCollection,

        "PUT /collections/{name}/points": .writeCollection,
        "POST /collections/{name}/points": .readCollection,
        "GET /collections/{name}/points/{id}": .readCollection,
        "POST /collections/{name}/points/delete": .writeCollection,
        "PUT /collections/{name}/points/vectors": .writeCollection,
        "POST /collections/{name}/points/vectors/delete": .writeCollection,
        "POST /collections/{name}/points/payload": .writeCollection,
        "PUT /collections/{name}/points/payload": .writeCollection,
        "POST /collections/{name}/points/payload/delete": .writeCollection,
        "POST /collections/{name}/points/payload/clear": .writeCollection,
        "POST /collections/{name}/points/scroll": .readCollection,
        "POST /collections/{name}/points/count": .readCollection,
        "POST /collections/{name}/points/query": .readCollection,
        "POST /collections/{name}/points/query/batch": .readCollection,
        "POST /collections/{name}/points/query/groups": .readCollection,
        "POST /collections/{name}/points/search": .readCollection,
        "POST /collections/{name}/points/search/batch": .readCollection,

        "POST /v1/embeddings": .authenticated,
        "GET /v1/models": .authenticated,
        "GET /v1/models/{model}": .authenticated,

        "POST /collections/{name}/snapshots": .writeCollection,
        "GET /collections/{name}/snapshots": .readCollection,
        "GET /collections/{name}/snapshots/{snapshot_name}": .readCollection,
        "DELETE /collections/{name}/snapshots/{snapshot_name}": .writeCollection,
        // Recovery can create a collection and add models to the registry: global manage.
        "PUT /collections/{name}/snapshots/recover": .manageServer,
        "POST /collections/{name}/snapshots/upload": .manageServer,

        "GET /collections/{name}/builds": .readCollection,
        "POST /collections/{name}/builds": .writeCollection,
        "GET /collections/{name}/builds/{number}": .readCollection,
        "POST /collections/{name}/builds/{number}/cancel": .writeCollection,
        "POST /collections/{name}/builds/{number}/points/query": .readCollection,
        "POST /collections/{name}/promote": .writeCollection,
        "POST /collections/{name}/rollback": .writeCollection,
        "GET /collections/{name}/serving": .readCollection,
        "GET /collections/{name}/audit": .readCollection,
        "GET /collections/{name}/pipeline": .readCollection,
        "PUT /collections/{name}/pipeline": .writeCollection,
        "POST /collections/{name}/pipeline/rollback": .writeCollection,
        "GET /collections/{name}/gates": .readCollection,
        "PUT /collections/{name}/gates": .writeCollection,

        "GET /collections/{name}/shadow": .readCollection,
        "PUT /collections/{name}/shadow": .writeCollection,
        "DELETE /collections/{name}/shadow": .writeCollection,
        "GET /collections/{name}/canary": .readCollection,
        "PUT /collections/{name}/canary": .writeCollection,
        "DELETE /collections/{name}/canary": .writeCollection,
        "GET /collections/{name}/drift": .readCollection,
        "POST /collections/{name}/drift/reference": .writeCollection,
        "GET /collections/{name}/monitoring": .readCollection,
        "PUT /collections/{name}/monitoring": .writeCollection,
        "GET /collections/{name}/query-log": .readCollection,
        "GET /collections/{name}/policy": .readCollection,
        "PUT /collections/{name}/policy": .writeCollection,

        "GET /registry/models": .readServer,
        "POST /registry/models": .manageServer,
        "POST /registry/models/upload": .manageServer,
        "GET /registry/datasets": .readServer,
        "POST /registry/datasets/upload": .manageServer,
        "GET /registry/models/{reference}": .readServer,
        "PUT /registry/models/{reference}/stage": .manageServer,
        "GET /registry/evaluations": .readServer,
        "GET /registry/evaluations/compare": .readServer,
    ]

    /// Whether the route is about the collection named by its path's `{name}`.
    var isAboutOneCollection: Bool { self == .readCollection || self == .writeCollection }
}
