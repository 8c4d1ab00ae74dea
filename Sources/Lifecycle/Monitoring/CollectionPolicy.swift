import Foundation
import Storage

/// What monitoring may do on its own for one collection: re-check recall when drift is
/// alerted, start a rebuild when recall on logged queries falls below a floor or deleted points
/// pile up, and promote that rebuild only when `autoPromote` is on and every gate passes.
/// Off by default: a collection without a stored policy is only watched.
public struct CollectionPolicy: Codable, Sendable, Equatable {
    /// On a drift alert, measure recall@10 of the serving index on logged queries and record it.
    public var recheckOnDrift: Bool = true
    /// Start a rebuild when recall@10 on logged queries is below this (nil: never for recall).
    public var loggedRecallFloor: Double?
    /// Start a rebuild when deleted points are more than this fraction of the graph (nil: never).
    public var maxDeletedFraction: Double?
    /// Promote a rebuild the policy started, through every gate, when it is ready.
    public var autoPromote: Bool = false
    /// How often the signals are read.
    public var checkIntervalSeconds: Double = 60
    /// The least time between two rebuilds the policy starts.
    public var rebuildCooldownSeconds: Double = 600

    public init() {}

    public var isActive: Bool { recheckOnDrift || loggedRecallFloor != nil || maxDeletedFraction != nil }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case recheckOnDrift = "recheck_on_drift"
        case loggedRecallFloor = "logged_recall_floor"
        case maxDeletedFraction = "max_deleted_fraction"
        case autoPromote = "auto_promote"
        case checkIntervalSeconds = "check_interval_seconds"
        case rebuildCooldownSeconds = "rebuild_cooldown_seconds"
    }

    /// The one place the settings are checked.
    public func validate() throws(LifecycleError) {
        if let floor = loggedRecallFloor, !(floor > 0 && floor <= 1) {
            throw .invalidRequest("`logged_recall_floor` must be in (0, 1], got \(floor)")
        }
        if let fraction = maxDeletedFraction, !(fraction > 0 && fraction < 1) {
            throw .invalidRequest("`max_deleted_fraction` must be in (0, 1), got \(fraction)")
        }
        guard checkIntervalSeconds >= 0.2, checkIntervalSeconds <= 86_400 else {
            throw .invalidRequest("`check_interval_seconds` must be 0.2 to 86400, got \(checkIntervalSeconds)")
        }
        guard rebuildCooldownSeconds >= 0, rebuildCooldownSeconds <= 30 * 86_400 else {
            throw .invalidRequest("`rebuild_cooldown_seconds` must be 0 to 2592000, got \(rebuildCooldownSeconds)")
        }
    }

    public static let settingNames = CodingKeys.allCases.map(\.rawValue)
}

/// Stored policies, by collection, in the catalog environment.
public struct PolicyCatalog: Sendable {
    let table: CatalogTable<CollectionPolicy>

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "policies", magic: "LPOL", what: "policy")
    }

    public func policy(_ collection: String) throws -> CollectionPolicy? { try table.get(Array(collection.utf8)) }

    /// Stores a changed policy and its `policy_changed` audit entry in one transaction.
    @discardableResult
    public func change(_ policy: CollectionPolicy, for collection: String, actor: String, audit: AuditTrail) throws -> AuditEntry {
        try policy.validate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let summary = String(decoding: try encoder.encode(policy), as: UTF8.self)
        return try table.write { transaction in
            try table.put(policy, at: Array(collection.utf8), in: transaction)
            return try audit.append(AuditEntry(collection: collection, actor: actor, action: .policyChanged, fromBuild: nil, toBuild: nil,
                                               reason: summary), in: transaction)
        }
    }

    public func remove(_ collection: String) throws {
        _ = try table.write { try table.remove(Array(collection.utf8), in: $0) }
    }

    public func all() throws -> [(collection: String, policy: CollectionPolicy)] {
        try table.scan().map { (String(decoding: $0.key, as: UTF8.self), $0.record) }
    }
}
