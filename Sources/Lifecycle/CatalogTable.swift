import Foundation
import Storage

/// One named database of JSON records in the catalog environment (model versions, builds,
/// evaluations, serving records, the audit trail), with reads and writes that decode and
/// encode through `CatalogRecordCoding`. The `in:` forms run inside a caller's transaction,
/// so changes to several tables commit together.
struct CatalogTable<Record: Codable>: Sendable {
    let environment: LMDBEnvironment
    let database: LMDBDatabase
    let coding: CatalogRecordCoding<Record>

    init(store: Store, name: String, magic: String, what: String) throws {
        environment = store.catalog
        database = try store.catalog.openDatabase(named: name)
        coding = CatalogRecordCoding(magic: magic, what: what)
    }

    func get(_ key: [UInt8]) throws -> Record? {
        try environment.read { try get(key, in: $0) }
    }

    func get(_ key: [UInt8], in transaction: borrowing LMDBTransaction) throws -> Record? {
        try transaction.value(forKey: key, in: database).map(coding.decode)
    }

    func put(_ record: Record, at key: [UInt8], in transaction: borrowing LMDBTransaction) throws {
        _ = try transaction.put(try coding.encode(record), forKey: key, in: database)
    }

    func put(_ record: Record, at key: [UInt8]) throws {
        try environment.write { try put(record, at: key, in: $0) }
    }

    /// Removes a record; false when there was none.
    func remove(_ key: [UInt8], in transaction: borrowing LMDBTransaction) throws -> Bool {
        try transaction.delete(key: key, in: database)
    }

    /// Records whose keys start with `prefix` (every record for nil), in key order.
    func scan(prefix: [UInt8]? = nil, in transaction: borrowing LMDBTransaction) throws -> [(key: [UInt8], record: Record)] {
        var found: [(key: [UInt8], record: Record)] = []
        let collect = { (key: [UInt8], value: [UInt8]) throws -> Bool in
            found.append((key, try coding.decode(value)))
            return true
        }
        if let prefix {
            try transaction.forEach(in: database, withPrefix: prefix, collect)
        } else {
            try transaction.forEach(in: database, collect)
        }
        return found
    }

    /// One past the highest number among keys `prefix` + zero-padded number (they sort by
    /// number, so the last key holds it), read from the keys alone; 1 when there are none.
    func nextNumber(prefix: [UInt8], in transaction: borrowing LMDBTransaction) throws -> Int {
        var last: [UInt8]?
        try transaction.forEach(in: database, withPrefix: prefix) { key, _ in
            last = key
            return true
        }
        guard let last else { return 1 }
        return (Int(String(decoding: last.dropFirst(prefix.count), as: UTF8.self)) ?? 0) + 1
    }

    func scan(prefix: [UInt8]? = nil) throws -> [(key: [UInt8], record: Record)] {
        try environment.read { try scan(prefix: prefix, in: $0) }
    }

    func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result { try environment.read(body) }
    func write<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result { try environment.write(body) }
}
