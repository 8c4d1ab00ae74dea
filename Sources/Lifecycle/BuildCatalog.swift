import Foundation
import Storage

/// Build records, in the catalog environment, keyed by collection and zero-padded number so
/// a prefix scan lists a collection's builds in order.
public struct BuildCatalog: Sendable {
    let table: CatalogTable<BuildRecord>

    public init(store: Store) throws {
        table = try CatalogTable(store: store, name: "builds", magic: "LBLR", what: "build")
    }

    static func key(_ collection: String, _ number: Int) -> [UInt8] {
        prefix(collection) + Array(String(format: "%08d", number).utf8)
    }

    static func prefix(_ collection: String) -> [UInt8] { Array("\(collection)\u{0}".utf8) }

    /// Records a new build in `building` state and returns it with its number.
    func begin(collection: String, make: (Int) -> BuildRecord) throws -> BuildRecord {
        try table.write { transaction in
            let record = make(try table.nextNumber(prefix: Self.prefix(collection), in: transaction))
            try save(record, in: transaction)
            return record
        }
    }

    func builds(of collection: String, in transaction: borrowing LMDBTransaction) throws -> [BuildRecord] {
        try table.scan(prefix: Self.prefix(collection), in: transaction).map(\.record)
    }

    public func builds(of collection: String) throws -> [BuildRecord] {
        try table.scan(prefix: Self.prefix(collection)).map(\.record)
    }

    func build(_ collection: String, _ number: Int, in transaction: borrowing LMDBTransaction) throws -> BuildRecord? {
        try table.get(Self.key(collection, number), in: transaction)
    }

    public func build(_ collection: String, _ number: Int) throws -> BuildRecord? {
        try table.get(Self.key(collection, number))
    }

    /// The build, when it exists and is ready to serve; else the error that says why not.
    func servable(_ collection: String, _ number: Int, in transaction: borrowing LMDBTransaction) throws -> BuildRecord {
        try Self.servable(build(collection, number, in: transaction), collection, number)
    }

    func servable(_ collection: String, _ number: Int) throws -> BuildRecord {
        try Self.servable(build(collection, number), collection, number)
    }

    private static func servable(_ record: BuildRecord?, _ collection: String, _ number: Int) throws -> BuildRecord {
        guard let record else { throw LifecycleError.buildNotFound(collection: collection, number: number) }
        guard record.status == .ready else {
            throw LifecycleError.buildNotServable(collection: collection, number: number, status: record.status.rawValue)
        }
        return record
    }

    func save(_ record: BuildRecord, in transaction: borrowing LMDBTransaction) throws {
        try table.put(record, at: Self.key(record.collection, record.number), in: transaction)
    }

    func save(_ record: BuildRecord) throws {
        try table.put(record, at: Self.key(record.collection, record.number))
    }

    /// Changes a stored record in one transaction; nil when there is no such build.
    @discardableResult
    func update(_ collection: String, _ number: Int, _ change: (inout BuildRecord) throws -> Void) throws -> BuildRecord? {
        try table.write { transaction in
            guard var record = try build(collection, number, in: transaction) else { return nil }
            try change(&record)
            try save(record, in: transaction)
            return record
        }
    }

    /// Removes every build record of a deleted collection.
    func removeAll(of collection: String) throws {
        try table.write { transaction in
            for (key, _) in try table.scan(prefix: Self.prefix(collection), in: transaction) {
                _ = try table.remove(key, in: transaction)
            }
        }
    }

    /// A build still `building` when the process starts was interrupted: it never serves.
    @discardableResult
    public func failInterruptedBuilds() throws -> [BuildRecord] {
        try table.write { transaction in
            var interrupted: [BuildRecord] = []
            for (_, var record) in try table.scan(in: transaction) where record.status == .building {
                record.status = .failed
                record.failure = "interrupted: the process stopped before the build finished"
                record.finishedAt = Date()
                try save(record, in: transaction)
                interrupted.append(record)
            }
            return interrupted
        }
    }
}
