import Foundation
import Storage

/// Collection aliases (Qdrant's `alias_name -> collection_name`), kept in the catalog
/// environment so a batch of alias actions commits atomically in one LMDB transaction.
public struct AliasTable: Sendable {
    public enum Action: Sendable, Hashable {
        case create(alias: String, collection: String)
        case delete(alias: String)
        case rename(from: String, to: String)
    }

    let environment: LMDBEnvironment
    let database: LMDBDatabase
    static let recordMagic: [UInt8] = Array("LALS".utf8) + [1, 0]

    init(store: Store) throws {
        environment = store.catalog
        database = try store.catalog.openDatabase(named: "aliases")
    }

    /// Every alias with its collection, sorted by alias name.
    public func all() throws -> [(alias: String, collection: String)] {
        try environment.read { transaction in
            var result: [(String, String)] = []
            try transaction.forEach(in: database) { key, value in
                result.append((String(decoding: key, as: UTF8.self), try Self.decode(value)))
                return true
            }
            return result
        }
    }

    public func collection(forAlias alias: String) throws -> String? {
        try environment.read { transaction in
            try transaction.value(forKey: Array(alias.utf8), in: database).map(Self.decode)
        }
    }

    /// Applies `actions` in order, all or nothing. `collectionExists` decides whether a
    /// collection name is real (for create) and whether an alias would shadow a collection.
    public func apply(_ actions: [Action], collectionExists: (String) throws -> Bool) throws {
        try environment.write { transaction in
            for action in actions {
                switch action {
                case let .create(alias, collection):
                    try Self.validate(alias)
                    guard try collectionExists(collection) else { throw AliasError.collectionNotFound(collection) }
                    guard try !collectionExists(alias) else { throw AliasError.shadowsCollection(alias) }
                    _ = try transaction.put(Self.encode(collection), forKey: Array(alias.utf8), in: database)
                case let .delete(alias):
                    guard try transaction.delete(key: Array(alias.utf8), in: database) else { throw AliasError.aliasNotFound(alias) }
                case let .rename(from, to):
                    try Self.validate(to)
                    guard let target = try transaction.value(forKey: Array(from.utf8), in: database) else {
                        throw AliasError.aliasNotFound(from)
                    }
                    guard try !collectionExists(to) else { throw AliasError.shadowsCollection(to) }
                    _ = try transaction.delete(key: Array(from.utf8), in: database)
                    _ = try transaction.put(target, forKey: Array(to.utf8), in: database)
                }
            }
        }
    }

    /// Removes every alias that points at `collection` (when it is deleted).
    func removeAliases(of collection: String) throws {
        let stale = try all().filter { $0.collection == collection }.map(\.alias)
        guard !stale.isEmpty else { return }
        try apply(stale.map { .delete(alias: $0) }, collectionExists: { _ in true })
    }

    static func validate(_ alias: String) throws {
        do { try CollectionSchema.validateName(alias) } catch {
            throw AliasError.invalidName(alias)
        }
    }

    static func encode(_ collection: String) -> [UInt8] { recordMagic + Array(collection.utf8) }

    static func decode(_ bytes: [UInt8]) throws -> String {
        guard bytes.count >= recordMagic.count, Array(bytes.prefix(recordMagic.count)) == recordMagic else {
            throw StorageError.corruptRecord("alias record without its magic number")
        }
        return String(decoding: bytes.dropFirst(recordMagic.count), as: UTF8.self)
    }
}

public enum AliasError: Error, Equatable, CustomStringConvertible {
    case collectionNotFound(String)
    case aliasNotFound(String)
    case shadowsCollection(String)
    case invalidName(String)

    public var description: String {
        switch self {
        case let .collectionNotFound(name): "Collection `\(name)` doesn't exist!"
        case let .aliasNotFound(name): "Alias `\(name)` doesn't exist!"
        case let .shadowsCollection(name): "Alias `\(name)` would have the same name as an existing collection"
        case let .invalidName(name): "Alias name `\(name)` is invalid: use 1-255 letters, digits, '_', '.' or '-'"
        }
    }
}
