import Foundation
import Hummingbird
import Lifecycle
import Logging
import Storage
import Synchronization
import HTTPTypes
import NIOCore

/// Builds the HTTP application over an open engine. Kept apart from argument parsing so tests
/// and other entry points can build the same app.
public func buildApplication(
    configuration: ServerConfiguration, engine: Engine, models: ServedModels = ServedModels(),
    metrics: ServerMetrics? = nil, policyMonitor: PolicyMonitor? = nil, logger: Logger
) throws -> some ApplicationProtocol {
    let (router, _) = makeRouter(configuration: configuration, engine: engine, models: models, metrics: metrics,
                                 policyMonitor: policyMonitor, logger: logger)
    return Application(
        router: router,
        server: try TransportSecurity.serverBuilder(configuration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lodestone"),
        logger: logger
    )
}

/// What `makeRouter` registered: every "METHOD /path", and what each needs (`RouteAccess`).
public struct RegisteredRoutes: Sendable {
    public var routes: [String]
    public var access: [String: String]
}

/// The router with every route, and the routes it registered.
public func makeRouter(
    configuration: ServerConfiguration, engine: Engine, models: ServedModels = ServedModels(),
    metrics: ServerMetrics? = nil, policyMonitor: PolicyMonitor? = nil, logger: Logger
) -> (Router<BasicRequestContext>, RegisteredRoutes) {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    if metrics != nil { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: AuthenticationMiddleware(fullAccessKey: configuration.apiKey, readOnlyKey: configuration.readOnlyAPIKey,
                                                   acceptTokens: configuration.jwt))
    let routes = RouteContext(engine: engine, configuration: configuration, models: models, metrics: metrics, logger: logger)
    HealthRoutes(routes: routes).register(on: router)
    AliasRoutes(routes: routes).register(on: router)
    CollectionRoutes(routes: routes).register(on: router)
    PointRoutes(routes: routes).register(on: router)
    SearchRoutes(routes: routes).register(on: router)
    OpenAIRoutes(routes: routes, models: models).register(on: router)
    // Builds the policy starts are jobs like any other: listed, with progress, cancellable.
    let jobs = policyMonitor?.jobs ?? BuildJobs()
    LifecycleRoutes(routes: routes, jobs: jobs).register(on: router)
    CollectionUpdateRoutes(routes: routes, jobs: jobs).register(on: router)
    PolicyRoutes(routes: routes, monitor: policyMonitor).register(on: router)
    RolloutRoutes(routes: routes).register(on: router)
    RegistryRoutes(routes: routes).register(on: router)
    SnapshotRoutes(routes: routes).register(on: router)
    PipelineRoutes(routes: routes).register(on: router)
    TelemetryRoutes(routes: routes).register(on: router)
    EvaluationRoutes(routes: routes).register(on: router)
    BuildQueryRoutes(routes: routes).register(on: router)
    return (router, RegisteredRoutes(routes: routes.table.all, access: routes.table.accessByRoute))
}

/// `/`, `/healthz`, `/readyz`, `/livez`.
struct HealthRoutes {
    /// The Qdrant version whose REST API this server speaks; qdrant-client warns when its own
    /// minor version is more than one away.
    static let compatibleQdrantVersion = "1.20.0"
    static let lodestoneVersion = "0.1.0"

    let routes: RouteContext

    func register(on router: Router<BasicRequestContext>) {
        routes.raw(router, .get, "/") { _, _ -> Response in
            Envelope.json([
                "title": "lodestone - vector search engine (Qdrant-compatible REST API)",
                "version": .string(Self.compatibleQdrantVersion),
                "lodestone_version": .string(Self.lodestoneVersion),
                "commit": .null,
            ])
        }
        let metrics = routes.metrics
        let metricsEngine = routes.engine
        routes.raw(router, .get, "/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = metrics?.exposition(engine: metricsEngine) ?? "# metrics are not enabled in this process\n"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        routes.raw(router, .get, "/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        routes.raw(router, .get, "/dashboard") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: ConsoleFiles.index)))
        }
        routes.raw(router, .get, "/dashboard/{file}") { _, context -> Response in
            let name = context.parameters.get("file") ?? ""
            guard let bytes = ConsoleFiles.files[name] else {
                return Envelope.json(["status": ["error": .string("Not found: the console has no file `\(name)`")]], status: .notFound)
            }
            var headers = HTTPFields()
            headers[.contentType] = ConsoleFiles.contentType(name)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        routes.raw(router, .get, "/healthz") { _, _ -> Response in Envelope.json(["status": "ok", "title": "healthz check passed"]) }
        routes.raw(router, .get, "/livez") { _, _ -> Response in Envelope.json(["status": "ok", "title": "livez check passed"]) }
        let engine = routes.engine
        let readinessLogger = routes.logger
        let redaction = routes.redaction
        routes.raw(router, .get, "/readyz") { _, _ -> Response in
            // The probe is open; what is loading, failed or drifting is for callers with read rights.
            let detailed = AccessGrant.current.allows(.readServer)
            do {
                let loading = engine.loadingState
                guard loading.pending.isEmpty else {
                    var body: [String: JSONValue] = ["status": "loading", "title": "collections are still loading"]
                    if detailed { body["loading"] = .array(loading.pending.map(JSONValue.string)) }
                    return Envelope.json(.object(body), status: .serviceUnavailable)
                }
                let names = try engine.collectionNames()
                guard detailed else { return Envelope.json(["status": "ok", "title": "readyz check passed"]) }
                // Drift alerts are reported, not failed on: a drifting collection still serves.
                var drift: [String: JSONValue] = [:]
                for serving in engine.openCollections {
                    let report = serving.driftReport()
                    drift[serving.name] = ["alert": .bool(report.alert), "reasons": .array(report.reasons.map(JSONValue.string))]
                }
                return Envelope.json(["status": "ok", "title": "readyz check passed", "collections": .int(Int64(names.count)),
                                      "failed": .object(loading.failed.mapValues { .string(redaction.redact($0)) }), "drift": .object(drift)])
            } catch {
                readinessLogger.error("readiness check failed", metadata: ["error": "\(error)"])
                return Envelope.json(["status": "unavailable", "title": "the store does not answer; see the server log"], status: .serviceUnavailable)
            }
        }
    }
}
