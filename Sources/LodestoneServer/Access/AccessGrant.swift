/// What the request's credential allows, found once by the authentication middleware and
/// checked by each route against `RouteAccess.table`.
struct AccessGrant: Sendable, Equatable {
    enum Global: Sendable, Equatable { case none, read, manage }
    enum CollectionRight: String, Sendable, Equatable { case read = "r", readWrite = "rw" }

    var global: Global
    var collections: [String: CollectionRight]
    /// Who acts, for the audit trail: the key class, or the token's subject.
    var principal: String
    /// False for a request that presented no credential, or one the server refused, to a
    /// server that requires one.
    var isAuthenticated = true
    /// Why the presented credential was refused (nil when none was presented).
    var refusal: String? = nil

    /// A server without keys is open: every request may do everything.
    static let unrestricted = AccessGrant(global: .manage, collections: [:], principal: "http")
    static let anonymous = AccessGrant(global: .none, collections: [:], principal: "anonymous", isAuthenticated: false)
    static let fullAccessKey = AccessGrant(global: .manage, collections: [:], principal: "api-key:full-access")
    static let readOnlyKey = AccessGrant(global: .read, collections: [:], principal: "api-key:read-only")

    /// A refused credential still reaches the open routes: a probe with a stale header answers.
    static func refused(_ reason: String) -> AccessGrant {
        AccessGrant(global: .none, collections: [:], principal: "anonymous", isAuthenticated: false, refusal: reason)
    }

    @TaskLocal static var current = AccessGrant.unrestricted

    /// `collection` is the path's collection, after alias resolution; `named` is the name the
    /// caller used (an alias), which a token may also name.
    func allows(_ access: RouteAccess, collection: String? = nil, named: String? = nil) -> Bool {
        switch access {
        case .open: return true
        case .authenticated: return isAuthenticated
        case .readServer: return global != .none
        case .manageServer: return global == .manage
        case .readCollection: return global != .none || right(collection, named) != nil
        case .writeCollection: return global == .manage || right(collection, named) == .readWrite
        }
    }

    func mayRead(collection: String) -> Bool { allows(.readCollection, collection: collection) }

    private func right(_ collection: String?, _ named: String?) -> CollectionRight? {
        let rights = [collection, named].compactMap { $0 }.compactMap { collections[$0] }
        return rights.contains(.readWrite) ? .readWrite : rights.first
    }
}
