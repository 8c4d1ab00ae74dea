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
        case fromBuild = "from_build"
        case toBuild = "to_build"
    }
}

/// The append-only audit trail, in the catalog environment, keyed by collection and number.
public struct AuditTrail: Sendable {
    let environment: LMDBEnvironment
    let database: LMDBDatabase
    static let coding = CatalogRecordCoding<AuditEntry>(magic: "LAUD", what: "audit")

    public init(store: Store) throws {
        environment = store.catalog
        database = try store.catalog.openDatabase(named: "audit")
    }

    static func prefix(_ collection: String) -> [UInt8] { Array("\(collection)\u{0}".utf8) }
    static func key(_ collection: String, _ number: Int) -> [UInt8] {
        prefix(collection) + Array(String(format: "%010d", number).utf8)
    }

    /// Appends `entry` (numbered after the collection's last entry) inside `transaction`, so
    /// the entry commits together with the change it records.
    @discardableResult
    func append(_ entry: AuditEntry, in transaction: borrowing LMDBTransaction) throws -> AuditEntry {
        var highest = 0
        try transaction.forEach(in: database, withPrefix: Self.prefix(entry.collection)) { _, value in
            highest = max(highest, try Self.coding.decode(value).number)
            return true
        }
        var numbered = entry
        numbered.number = highest + 1
        _ = try transaction.put(try Self.coding.encode(numbered), forKey: Self.key(entry.collection, numbered.number), in: database)
        return numbered
    }

    @discardableResult
    public func append(_ entry: AuditEntry) throws -> AuditEntry {
        try environment.write { try append(entry, in: $0) }
    }

    /// The collection's entries, oldest first.
    public func entries(of collection: String) throws -> [AuditEntry] {
        try environment.read { transaction in
            var entries: [AuditEntry] = []
            try transaction.forEach(in: database, withPrefix: Self.prefix(collection)) { _, value in
                entries.append(try Self.coding.decode(value))
                return true
            }
            return entries
        }
    }
}
