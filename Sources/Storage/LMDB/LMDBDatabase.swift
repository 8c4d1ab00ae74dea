import CLMDB

/// A named database inside an environment. The handle stays valid for the environment's life.
public struct LMDBDatabase: Sendable, Hashable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Several sorted values per key (MDB_DUPSORT).
        public static let duplicateSort = Flags(rawValue: UInt32(MDB_DUPSORT))
        /// With `duplicateSort`: every value has the same size (MDB_DUPFIXED).
        public static let duplicateFixed = Flags(rawValue: UInt32(MDB_DUPFIXED))
        /// Keys are native-endian `UInt32` or `UInt64`, ordered numerically (MDB_INTEGERKEY).
        public static let integerKey = Flags(rawValue: UInt32(MDB_INTEGERKEY))
        /// With `duplicateSort`: values are native-endian integers (MDB_INTEGERDUP).
        public static let integerDuplicate = Flags(rawValue: UInt32(MDB_INTEGERDUP))
    }

    let handle: MDB_dbi
    public let name: String
    public let flags: Flags
}

extension LMDBEnvironment {
    /// Opens (creating if needed) named databases in one write transaction. Call at start-up,
    /// before other transactions run: LMDB requires `mdb_dbi_open` not to race other opens.
    public func openDatabases(_ specifications: [(name: String, flags: LMDBDatabase.Flags)]) throws -> [LMDBDatabase] {
        try write { transaction in
            try specifications.map { specification in
                try transaction.openDatabase(named: specification.name, flags: specification.flags)
            }
        }
    }

    public func openDatabase(named name: String, flags: LMDBDatabase.Flags = []) throws -> LMDBDatabase {
        try openDatabases([(name, flags)])[0]
    }
}

extension LMDBTransaction {
    fileprivate func openDatabase(named name: String, flags: LMDBDatabase.Flags) throws -> LMDBDatabase {
        precondition(isWritable, "databases are created in a write transaction")
        var handle: MDB_dbi = 0
        let code = mdb_dbi_open(pointer, name, flags.rawValue | UInt32(MDB_CREATE), &handle)
        try check(code, "mdb_dbi_open(\(name))")
        return LMDBDatabase(handle: handle, name: name, flags: flags)
    }
}
