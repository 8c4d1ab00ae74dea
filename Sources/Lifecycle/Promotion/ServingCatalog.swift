import Foundation
import Storage

/// Serving records by collection name, in the catalog environment. A promotion is one write
/// here, so every process sharing the data directory sees the switch at once.
public struct ServingCatalog: Sendable {
    let environment: LMDBEnvironment
    let database: LMDBDatabase
    static let coding = CatalogRecordCoding<ServingRecord>(magic: "LSRV", what: "serving")

    public init(store: Store) throws {
        environment = store.catalog
        database = try store.catalog.openDatabase(named: "serving")
    }

    /// The collection's record; a fresh one (default gates, no build) when none was written.
    public func record(_ collection: String) throws -> ServingRecord {
        try environment.read { try $0.value(forKey: Array(collection.utf8), in: database) }
            .map(Self.coding.decode) ?? ServingRecord(collection: collection)
    }

    func record(_ collection: String, in transaction: borrowing LMDBTransaction) throws -> ServingRecord {
        try transaction.value(forKey: Array(collection.utf8), in: database).map(Self.coding.decode) ?? ServingRecord(collection: collection)
    }

    /// Reads, changes and writes a record in one transaction.
    @discardableResult
    public func update(_ collection: String, _ change: (inout ServingRecord) throws -> Void) throws -> ServingRecord {
        try environment.write { transaction in
            let key = Array(collection.utf8)
            var record = try transaction.value(forKey: key, in: database).map(Self.coding.decode)
                ?? ServingRecord(collection: collection)
            try change(&record)
            _ = try transaction.put(try Self.coding.encode(record), forKey: key, in: database)
            return record
        }
    }

    /// Changes a record and appends the audit entry describing the change, in one transaction.
    func update(_ collection: String, audit: AuditTrail,
                _ change: (inout ServingRecord, borrowing LMDBTransaction) throws -> AuditEntry) throws -> AuditEntry {
        try environment.write { transaction in
            let key = Array(collection.utf8)
            var record = try transaction.value(forKey: key, in: database).map(Self.coding.decode)
                ?? ServingRecord(collection: collection)
            let entry = try change(&record, transaction)
            _ = try transaction.put(try Self.coding.encode(record), forKey: key, in: database)
            return try audit.append(entry, in: transaction)
        }
    }

    public func remove(_ collection: String) throws {
        try environment.write { _ = try $0.delete(key: Array(collection.utf8), in: database) }
    }
}

/// Changes a collection's gate settings, with an audit entry naming old and new values.
public struct GateSettingsChange: Sendable {
    let context: LifecycleContext
    public init(context: LifecycleContext) { self.context = context }

    @discardableResult
    public func apply(_ gates: GateSettings, to collection: String, actor: String) throws -> AuditEntry {
        try gates.validate()
        return try context.serving.update(collection, audit: context.audit) { record, _ in
            let old = record.gates
            record.gates = gates
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let describe = { (value: GateSettings) in String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) }
            return AuditEntry(collection: collection, actor: actor, action: .gatesChanged, fromBuild: nil, toBuild: nil,
                              reason: "\(describe(old)) -> \(describe(gates))")
        }
    }
}
