import Foundation
import Storage

/// Build records, in the catalog environment, keyed by collection and zero-padded number so
/// a prefix scan lists a collection's builds in order.
public struct BuildCatalog: Sendable {
    let environment: LMDBEnvironment
    let database: LMDBDatabase
    static let coding = CatalogRecordCoding<BuildRecord>(magic: "LBLR", what: "build")

    public init(store: Store) throws {
        environment = store.catalog
        database = try store.catalog.openDatabase(named: "builds")
    }

    static func key(_ collection: String, _ number: Int) -> [UInt8] {
        Array("\(collection)\u{0}\(String(format: "%08d", number))".utf8)
    }

    /// Records a new build in `building` state and returns it with its number.
    func begin(collection: String, make: (Int) -> BuildRecord) throws -> BuildRecord {
        try environment.write { transaction in
            var highest = 0
            try transaction.forEach(in: database, withPrefix: Array("\(collection)\u{0}".utf8)) { _, value in
                highest = max(highest, try Self.coding.decode(value).number)
                return true
            }
            let record = make(highest + 1)
            _ = try transaction.put(try Self.coding.encode(record), forKey: Self.key(collection, record.number), in: database)
            return record
        }
    }

    func builds(of collection: String, in transaction: borrowing LMDBTransaction) throws -> [BuildRecord] {
        var records: [BuildRecord] = []
        try transaction.forEach(in: database, withPrefix: Array("\(collection)\u{0}".utf8)) { _, value in
            records.append(try Self.coding.decode(value))
            return true
        }
        return records
    }

    func save(_ record: BuildRecord, in transaction: borrowing LMDBTransaction) throws {
        _ = try transaction.put(try Self.coding.encode(record), forKey: Self.key(record.collection, record.number), in: database)
    }

    func save(_ record: BuildRecord) throws {
        try environment.write { transaction in
            _ = try transaction.put(try Self.coding.encode(record), forKey: Self.key(record.collection, record.number), in: database)
        }
    }

    /// Changes a stored record in one transaction; nil when there is no such build.
    @discardableResult
    func update(_ collection: String, _ number: Int, _ change: (inout BuildRecord) throws -> Void) throws -> BuildRecord? {
        try environment.write { transaction in
            let key = Self.key(collection, number)
            guard var record = try transaction.value(forKey: key, in: database).map(Self.coding.decode) else { return nil }
            try change(&record)
            _ = try transaction.put(try Self.coding.encode(record), forKey: key, in: database)
            return record
        }
    }

    /// Removes every build record of a deleted collection.
    func removeAll(of collection: String) throws {
        try environment.write { transaction in
            var keys: [[UInt8]] = []
            try transaction.forEach(in: database, withPrefix: Array("\(collection)\u{0}".utf8)) { key, _ in
                keys.append(key)
                return true
            }
            for key in keys { _ = try transaction.delete(key: key, in: database) }
        }
    }

    public func builds(of collection: String) throws -> [BuildRecord] {
        try environment.read { transaction in
            var records: [BuildRecord] = []
            try transaction.forEach(in: database, withPrefix: Array("\(collection)\u{0}".utf8)) { _, value in
                records.append(try Self.coding.decode(value))
                return true
            }
            return records
        }
    }

    func build(_ collection: String, _ number: Int, in transaction: borrowing LMDBTransaction) throws -> BuildRecord? {
        try transaction.value(forKey: Self.key(collection, number), in: database).map(Self.coding.decode)
    }

    public func build(_ collection: String, _ number: Int) throws -> BuildRecord? {
        try environment.read { try $0.value(forKey: Self.key(collection, number), in: database) }.map(Self.coding.decode)
    }

    /// A build still `building` when the process starts was interrupted: it never serves.
    @discardableResult
    public func failInterruptedBuilds() throws -> [BuildRecord] {
        try environment.write { transaction in
            var interrupted: [BuildRecord] = []
            try transaction.forEach(in: database) { _, value in
                let record = try Self.coding.decode(value)
                if record.status == .building { interrupted.append(record) }
                return true
            }
            for var record in interrupted {
                record.status = .failed
                record.failure = "interrupted: the process stopped before the build finished"
                record.finishedAt = Date()
                _ = try transaction.put(try Self.coding.encode(record), forKey: Self.key(record.collection, record.number), in: database)
            }
            return interrupted
        }
    }
}
