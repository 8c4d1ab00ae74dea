import Foundation
import Storage

/// One change to what a collection serves: who did what, when, why, and the gate's numbers.
public struct AuditEntry: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        case promote, rollback, retire, refused
        case canaryStart = "canary_start"
        case canaryStop = "canary_stop"
        case canaryAbort = "canary_abort"
        case shadowStart = "shadow_start"
        case shadowStop = "shadow_stop"
        case gatesChanged = "gates_changed"
        case pipelineChange = "pipeline_change"
        case pipelineRollback = "pipeline_rollback"
        case pipelineRefused = "pipeline_refused"
        /// Monitoring's policy measured recall on logged queries (the reason names the signal).
        case policyCheck = "policy_check"
        /// Monitoring's policy started a rebuild (the reason names the signal).
        case policyRebuild = "policy_rebuild"
        case policyChanged = "policy_changed"
        case snapshotCreated = "snapshot_created"
        /// The collection was replaced by (or created from) a snapshot.
        case snapshotRecovered = "snapshot_recovered"
        /// `PATCH /collections/{name}` started a build with new codes (the reason says which).
        case collectionUpdate = "collection_update"
    }

    public var collection: String
    public var number: Int
    public var at: Date
    public var actor: String
    public var action: Action
    public var fromBuild: Int?
    public var toBuild: Int?
    public var forced: Bool
    public var reason: String?
    public var gate: GateReport?
    /// For pipeline changes: the evaluation gate's numbers.
    public var pipelineGate: PipelineGateReport?
    /// For policy checks: the recall measured on logged queries.
    public var recall: RecallReport?

    public init(collection: String, number: Int = 0, at: Date = Date(), actor: String, action: Action,
                fromBuild: Int?, toBuild: Int?, forced: Bool = false, reason: String? = nil, gate: GateReport? = nil) {
        self.collection = collection
        self.number = number
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.actor = actor
        self.action = action
        self.fromBuild = fromBuild
        self.toBuild = toBuild
        self.forced = forced
        self.reason = reason
        self.gate = gate
    }

    enum CodingKeys: String, CodingKey {
        case collection, number, at, actor, action, forced, reason, gate
        case pipelineGate = "pipeline_gate"
        case recall
        case fromBuild = "from_build"
        case toBuild = "to_build"
    }
}

/// The append-only audit trail, in the catalog environment, keyed by collection and number.
public struct AuditTrail: Sendable {
    let table: CatalogTable<AuditEntry>

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "audit", magic: "LAUD", what: "audit")
    }

    static func prefix(_ collection: String) -> [UInt8] { Array("\(collection)\u{0}".utf8) }
    static func key(_ collection: String, _ number: Int) -> [UInt8] {
        prefix(collection) + Array(String(format: "%010d", number).utf8)
    }

    /// Appends `entry` (numbered after the collection's last entry) inside `transaction`, so
    /// the entry commits together with the change it records.
    @discardableResult
    func append(_ entry: AuditEntry, in transaction: borrowing LMDBTransaction) throws -> AuditEntry {
        var numbered = entry
        numbered.number = try table.nextNumber(prefix: Self.prefix(entry.collection), in: transaction)
        try table.put(numbered, at: Self.key(entry.collection, numbered.number), in: transaction)
        return numbered
    }

    @discardableResult
    public func append(_ entry: AuditEntry) throws -> AuditEntry {
        try table.write { try append(entry, in: $0) }
    }

    /// The collection's entries, oldest first.
    public func entries(of collection: String) throws -> [AuditEntry] {
        try table.scan(prefix: Self.prefix(collection)).map(\.record)
    }
}
