import Foundation
import HTTPTypes
import Hummingbird
import Lifecycle
import Logging
import NIOCore
import Storage
import Synchronization

/// What every route handler needs: the engine, the limits, and body decoding.
struct RouteContext: Sendable {
    let engine: Engine
    let configuration: ServerConfiguration
    let models: ServedModels
    let metrics: ServerMetrics?
    let logger: Logger
    let table = RouteTable()
    /// Where searches and writes run: never on the event loops or the concurrency pool.
    let searches: BoundedExecutor
    let writes: BoundedExecutor
    /// Parses large bodies, so a batch of vectors does not occupy the concurrency pool that
    /// health checks and light routes answer on; its queue also bounds the bodies held.
    let decoding: BoundedExecutor
    let redaction: PathRedaction

    init(engine: Engine, configuration: ServerConfiguration, models: ServedModels, metrics: ServerMetrics?, logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.models = models
        self.metrics = metrics
        self.logger = logger
        redaction = PathRedaction(dataDirectory: engine.dataDirectory)
        searches = BoundedExecutor(name: "search", threads: configuration.searchThreads, capacity: configuration.searchQueue)
        writes = BoundedExecutor(name: "write", threads: configuration.writeThreads, capacity: configuration.writeQueue)
        decoding = BoundedExecutor(name: "decode", threads: configuration.searchThreads, capacity: configuration.writeQueue)
    }

    /// Qdrant's `timeout` query parameter, in seconds.
    static func timeout(_ request: Request) throws -> Double? {
        guard let text = request.uri.queryParameters.get("timeout") else { return nil }
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw APIError.badRequest("`timeout` must be a positive number of seconds, got `\(text)`")
        }
        return seconds
    }

    /// Runs a search on the search threads, honouring the request's `timeout`.
    func search<T: Sendable>(_ request: Request, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await searches.run(timeout: try Self.timeout(request), work)
    }

    /// Runs a write (LMDB commit, sync, index inserts) on the write threads.
    func write<T: Sendable>(_ request: Request, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await writes.run(timeout: try Self.timeout(request), work)
    }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> JSONValue

    /// Registers a Qdrant-style route: the handler's value is wrapped in the envelope, and any
    /// error becomes a JSON error body with a 4xx status (or a logged 500).
    func on(_ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, handler: @escaping Handler) {
        let access = table.record(method, path)
        router.on(path, method: method) { request, context -> Response in
            let start = ContinuousClock.now
            do {
                try authorize(access, context)
                return Envelope.ok(try await handler(request, context), since: start)
            } catch {
                return errorResponse(error, request: request, start: start)
            }
        }
    }

    /// Registers a route that builds its own response (not the Qdrant envelope).
    func raw(_ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath,
             handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        let access = table.record(method, path)
        router.on(path, method: method) { request, context -> Response in
            do {
                try authorize(access, context)
            } catch {
                return errorResponse(error, request: request, start: .now)
            }
            return try await handler(request, context)
        }
    }

    /// Checks the request's grant against what the route needs (`RouteAccess.table`); a
    /// collection route is checked against the collection its `{name}` (or alias) names.
    func authorize(_ access: RouteAccess, _ context: BasicRequestContext) throws(APIError) {
        let grant = AccessGrant.current
        guard access != .open, grant != .unrestricted else { return }
        guard grant.isAuthenticated else {
            throw APIError(status: .unauthorized, message: grant.refusal ?? "Must provide an API key or an Authorization bearer token")
        }
        let named = access.isAboutOneCollection ? context.parameters.get("name") : nil
        let collection = named.map { (try? engine.resolve($0)) ?? $0 }
        guard grant.allows(access, collection: collection, named: named) else {
            throw APIError(status: .forbidden, message: Self.forbiddenMessage(access, collection: named))
        }
    }

    static func forbiddenMessage(_ access: RouteAccess, collection: String?) -> String {
        let needs = switch access {
        case .open, .authenticated: "a valid credential"
        case .readServer: "global read access (the read-only key, the API key, or a token with access \"r\" or \"m\")"
        case .manageServer: "global manage access (the API key, or a token with access \"m\")"
        case .readCollection: "read access to collection `\(collection ?? "")` (global read, or a token with \"r\" or \"rw\" on it)"
        case .writeCollection: "write access to collection `\(collection ?? "")` (the API key, or a token with \"rw\" on it)"
        }
        return "Forbidden: this request needs \(needs)"
    }

    func errorResponse(_ error: any Error, request: Request, start: ContinuousClock.Instant) -> Response {
        if var apiError = APIError.from(error) {
            apiError.message = redaction.redact(apiError.message)
            return Envelope.error(apiError, since: start)
        }
        if error is NIOTooManyBytesError {
            let message = "Wrong input: the request body is larger than the server's limit; split it into smaller requests"
            return Envelope.error(APIError(status: .contentTooLarge, message: message), since: start)
        }
        if let httpError = error as? HTTPError {
            let status = httpError.status
            let message = status == .contentTooLarge
                ? "request body is larger than the server's limit"
                : (httpError.body ?? status.reasonPhrase)
            return Envelope.error(APIError(status: status, message: "Wrong input: \(message)"), since: start)
        }
        // The body names no internal detail (paths, Swift types); the log has it, under the same id.
        let incident = UInt32.random(in: .min ... .max)
        logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)",
                                                  "error": "\(error)", "incident": "\(incident)"])
        let message = "Service internal error: the request could not be completed (incident \(incident) in the server log)"
        return Envelope.error(APIError(status: .internalServerError, message: message), since: start)
    }

    /// The request body as JSON, bounded by the configured size.
    func body(_ request: Request, required: Bool = true) async throws -> JSONValue? {
        var request = request
        let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        guard buffer.readableBytes > 0 else {
            if required { throw APIError.badRequest("the request needs a JSON body") }
            return nil
        }
        let bytes = Array(buffer.readableBytesView)
        let parse: @Sendable () throws -> JSONValue = {
            do { return try JSONValue(parsing: bytes) } catch { throw APIError.badRequest("malformed JSON body: \(error)") }
        }
        // A small body parses faster here than the hop to another thread costs.
        return bytes.count < Self.inlineParseLimit ? try parse() : try await decoding.run(parse)
    }

    static let inlineParseLimit = 64 << 10

    /// CPU-heavy decoding of a parsed body (vectors into floats) off the concurrency pool.
    func decode<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await decoding.run(work)
    }

    func fields(_ request: Request) async throws -> JSONFields {
        try JSONFields(try await body(request)!)
    }

    func optionalFields(_ request: Request) async throws -> JSONFields {
        try JSONFields(try await body(request, required: false) ?? .object([:]))
    }

    /// The serving collection behind a path's `{name}` (an alias resolves to its collection).
    /// Who a lifecycle change is attributed to in the audit trail: the key class used, and the
    /// name the caller gave (`actor` in the body), if any.
    func actor(_ named: String?) -> String {
        let principal = AccessGrant.current.principal
        return named.map { "\(principal) (\($0))" } ?? principal
    }

    /// Another collection a request's body names (`lookup_from`, `with_lookup`): the caller's
    /// grant must allow reading it too, not only the path's collection.
    func lookupCollection(named given: String) throws -> ServingCollection {
        let name = try engine.resolve(given)
        guard AccessGrant.current.allows(.readCollection, collection: name, named: given) else {
            throw APIError(status: .forbidden, message: Self.forbiddenMessage(.readCollection, collection: given))
        }
        return try engine.collection(named: name)
    }

    func collection(_ context: BasicRequestContext) throws -> ServingCollection {
        let name = try context.parameters.require("name")
        return try engine.collection(named: try engine.resolve(name))
    }
}

/// Every registered (method, path) with what it needs, so a test can compare the served
/// routes and their access with the committed OpenAPI document.
final class RouteTable: Sendable {
    private let entries = Mutex<[(route: String, access: RouteAccess)]>([])

    /// What the route needs. A route missing from `RouteAccess.table` is a programming error
    /// the route-table test catches; it stops the server at start rather than serving unchecked.
    func record(_ method: HTTPRequest.Method, _ path: RouterPath) -> RouteAccess {
        let route = "\(method.rawValue) \(path.description)"
        guard let access = RouteAccess.table[route] else { fatalError("\(route) has no entry in RouteAccess.table") }
        entries.withLock { $0.append((route, access)) }
        return access
    }

    var all: [String] { entries.withLock { $0.map(\.route) } }
    var accessByRoute: [String: String] { entries.withLock { Dictionary($0.map { ($0.route, $0.access.rawValue) }, uniquingKeysWith: { a, _ in a }) } }
}
