import CLMDB
import Foundation
import Synchronization

/// Paths of environments open in this process. LMDB forbids opening one environment twice in
/// a process (closing either handle would drop the other's file locks), so a second open fails.
private let openEnvironmentPaths = Mutex<Set<String>>([])

/// One LMDB environment (a directory holding `data.mdb` and `lock.mdb`), closed in `deinit`.
///
/// Transactions are closure-scoped (`read`, `write`); the C handles never leave this file group.
/// Writers are serialized, readers run concurrently with the writer (LMDB's MVCC), and a write
/// that fills the map grows it and runs again.
public final class LMDBEnvironment: Sendable {
    public struct Options: Sendable, Hashable {
        /// Initial size of the memory map. Only address space: the file grows as pages are used.
        public var mapSize: Int
        /// Growth stops here with `StorageError.mapSizeLimitReached`; nil means no limit.
        public var maximumMapSize: Int?
        public var maximumDatabases: Int
        /// Concurrent read transactions allowed (LMDB reader slots).
        public var maximumReaders: Int

        public init(
            mapSize: Int = 64 << 20,
            maximumMapSize: Int? = nil,
            maximumDatabases: Int = 16,
            maximumReaders: Int = 256
        ) {
            self.mapSize = mapSize
            self.maximumMapSize = maximumMapSize
            self.maximumDatabases = maximumDatabases
            self.maximumReaders = maximumReaders
        }
    }

    public let path: URL
    public let options: Options
    // The environment handle is safe to share: LMDB synchronizes it, and `gate` keeps
    // `mdb_env_set_mapsize` away from open transactions.
    nonisolated(unsafe) let handle: OpaquePointer
    let gate = TransactionGate()
    /// LMDB allows one writer; taking this first keeps map growth (which needs the gate
    /// exclusive) from racing a second writer that waits inside `mdb_txn_begin`.
    let writerLock = NSLock()
    /// Whether commits leave their fsync to `syncGroup` (see `deferSyncs`).
    let syncDeferral = Atomic<Bool>(false)
    let syncGroup = SyncGroup()
    /// Whether `combinedWrite` shares transactions (see `combineWrites`).
    let writeCombining = Atomic<Bool>(false)
    let combiner = WriteCombiner()
    private let registeredPath: Mutex<String?>
    /// Records read since this environment opened, for `noteMappedReads`.
    let mappedReads = Atomic<Int>(0)

    public init(path: URL, options: Options = Options()) throws {
        let directory = path.standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io(path: directory.path, reason: "cannot create directory: \(error)")
        }
        let key = directory.resolvingSymlinksInPath().path
        let inserted = openEnvironmentPaths.withLock { $0.insert(key).inserted }
        guard inserted else {
            throw StorageError.environmentAlreadyOpen(path: key)
        }
        var environment: OpaquePointer?
        var code = mdb_env_create(&environment)
        guard code == 0, let environment else {
            openEnvironmentPaths.withLock { _ = $0.remove(key) }
            throw StorageError.lmdb(code: code, operation: "mdb_env_create", path: key)
        }
        code = mdb_env_set_maxdbs(environment, MDB_dbi(options.maximumDatabases))
        if code == 0 {
            code = mdb_env_set_maxreaders(environment, UInt32(options.maximumReaders))
        }
        if code == 0 {
            code = mdb_env_set_mapsize(environment, Self.roundedMapSize(options.mapSize))
        }
        if code == 0 {
            // MDB_NOTLS: a read transaction belongs to its closure, not to the thread that began
            // it. No MDB_NOSYNC: a commit that returns is on disk.
            code = mdb_env_open(environment, key, UInt32(MDB_NOTLS), 0o664)
        }
        guard code == 0 else {
            mdb_env_close(environment)
            openEnvironmentPaths.withLock { _ = $0.remove(key) }
            throw StorageError.lmdb(code: code, operation: "mdb_env_open", path: key)
        }
        // Reader slots of a killed process would otherwise pin old pages forever.
        var deadReaders: Int32 = 0
        _ = mdb_reader_check(environment, &deadReaders)
        self.handle = environment
        self.path = directory
        self.options = options
        self.registeredPath = Mutex(key)
    }

    deinit {
        // Transactions hold `self` for their whole closure, so none can be open here.
        mdb_env_close(handle)
        forgetPath()
    }

    /// Lets a new environment open at this path while this one is still referenced: used when
    /// the directory has been removed, so the two can never share files.
    func forgetPath() {
        let key = registeredPath.withLock { key in
            defer { key = nil }
            return key
        }
        if let key {
            openEnvironmentPaths.withLock { _ = $0.remove(key) }
        }
    }

    /// Size of the memory map now in force.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// Bytes of the map in use (last page number times page size).
    public var usedBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    static func roundedMapSize(_ size: Int) -> Int {
        let granule = 64 << 10
        return max(granule, (size + granule - 1) / granule * granule)
    }
}

extension LMDBEnvironment {
    /// Drops this process's mappings of the environment's pages, so what a bulk read touched
    /// (every stored vector, when an index is built or caught up from the points) no longer
    /// counts as resident here: the data stays in the file and the OS page cache, and a later
    /// read maps the page again. Without it the process holds each vector twice, once in the
    /// graph and once in LMDB's map. The gate is held shared so the map is not moved meanwhile.
    /// LMDB reports its map address only for fixed maps, so the map is found in /proc/self/maps.
    public func releaseResidentPages() {
        var directory: UnsafePointer<CChar>?
        guard mdb_env_get_path(handle, &directory) == 0, let directory else { return }
        let file = URL(fileURLWithPath: String(cString: directory)).appendingPathComponent("data.mdb").standardizedFileURL.path
        gate.withShared {
            guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
            for line in maps.split(separator: "\n") where line.hasSuffix(" " + file) {
                let range = line.prefix { $0 != " " }.split(separator: "-")
                guard range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16), high > low,
                      let address = UnsafeMutableRawPointer(bitPattern: low) else { continue }
                _ = madvise(address, Int(high - low), MADV_DONTNEED)
            }
        }
    }
}

extension LMDBEnvironment {
    /// Records read between releases of the environment's mapped pages.
    public static let mappedReadsPerRelease = 16_384

    /// Counts `count` records a read mapped (a page of search results, a retrieve); each time the
    /// total crosses a multiple of `mappedReadsPerRelease` the mapped pages are released. The
    /// kernel maps a whole page-cache folio (up to 2 MiB on ext4) around each page a read
    /// faults in, so without this a serving process's resident share of the map creeps toward
    /// the whole file, vectors included, though it reads a few records per query. Call it
    /// after the read transaction ends.
    public func noteMappedReads(_ count: Int) {
        guard count > 0 else { return }
        let total = mappedReads.add(count, ordering: .relaxed).newValue
        if total / Self.mappedReadsPerRelease != (total - count) / Self.mappedReadsPerRelease { releaseResidentPages() }
    }
}
