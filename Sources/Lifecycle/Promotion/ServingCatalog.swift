import Foundation
import Storage

/// Serving records by collection name, in the catalog environment. A promotion is one write
/// here, so every process sharing the data directory sees the switch at once.
public struct ServingCatalog: Sendable {
    let table: CatalogTable<ServingRecord>

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "serving", magic: "LSRV", what: "serving")
    }

    /// The collection's record; a fresh one (default gates, no build) when none was written.
    public func record(_ collection: String) throws -> ServingRecord {
        try table.read { try record(collection, in: $0) }
    }

    func record(_ collection: String, in transaction: borrowing LMDBTransaction) throws -> ServingRecord {
        try table.get(Array(collection.utf8), in: transaction) ?? ServingRecord(collection: collection)
    }

    /// Reads, changes and writes a record in one transaction.
    @discardableResult
    public func update(_ collection: String, _ change: (inout ServingRecord) throws -> Void) throws -> ServingRecord {
        try table.write { transaction in
            var record = try record(collection, in: transaction)
            try change(&record)
            try table.put(record, at: Array(collection.utf8), in: transaction)
            return record
        }
    }

    /// Changes a record and appends the audit entry describing the change, in one transaction.
    func update(_ collection: String, audit: AuditTrail,
                _ change: (inout ServingRecord, borrowing LMDBTransaction) throws -> AuditEntry) throws -> AuditEntry {
        try table.write { transaction in
            var record = try record(collection, in: transaction)
            let entry = try change(&record, transaction)
            try table.put(record, at: Array(collection.utf8), in: transaction)
            return try audit.append(entry, in: transaction)
        }
    }

    public func remove(_ collection: String) throws {
        _ = try table.write { try table.remove(Array(collection.utf8), in: $0) }
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
