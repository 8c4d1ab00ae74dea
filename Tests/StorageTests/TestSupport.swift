import Foundation
import Storage
import Synchronization

/// A fresh directory under the system temp directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "lodestone-storage-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func appending(_ component: String) -> URL {
        url.appending(path: component, directoryHint: .isDirectory)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// SplitMix64: seeded, so a failing property test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Everything a collection returns through its public API, for before/after comparisons.
struct CollectionSnapshot: Equatable {
    var points: [Point]
    var lastSequence: UInt64
    var count: Int
    var changes: [ChangeEntry]

    init(_ collection: CollectionStore) throws {
        var points: [Point] = []
        var offset: PointID?
        repeat {
            let page = try collection.scroll(from: offset, limit: 50, withVector: true)
            points += page.points
            offset = page.nextOffset
        } while offset != nil
        self.points = points
        lastSequence = try collection.lastSequence()
        count = try collection.count()
        changes = try collection.changes(after: 0, limit: 1_000_000)
    }
}

extension Store {
    /// A store whose collections are created with a small schema, for tests.
    static func temporary(in directory: TemporaryDirectory, options: Store.Options = Store.Options()) throws -> Store {
        try Store(directory: directory.appending("data"), options: options)
    }
}

func vector(_ seed: Int, dimension: Int = 4) -> [Float] {
    (0 ..< dimension).map { Float(seed) + Float($0) * 0.5 }
}

final class SharedFlag: Sendable {
    private let storage = Atomic<Bool>(false)
    var isSet: Bool { storage.load(ordering: .acquiring) }
    func set() { storage.store(true, ordering: .releasing) }
}

final class SharedCounter: Sendable {
    private let storage = Atomic<Int>(0)
    var value: Int { storage.load(ordering: .relaxed) }
    func add(_ amount: Int) { storage.add(amount, ordering: .relaxed) }
}

/// Runs each body on its own thread and waits for all. Dedicated threads, not GCD: the global
/// queue on a 2-core machine will not start a third work item while two spin.
func runOnThreads(_ bodies: [@Sendable () -> Void]) {
    let finished = DispatchSemaphore(value: 0)
    for body in bodies {
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.start()
    }
    for _ in bodies {
        finished.wait()
    }
}
