/// A set of internal ids, kept sorted for merges and binary-search membership tests.
public struct InternalIDSet: Sendable, Hashable {
    public private(set) var sortedIDs: [UInt32]

    public init() {
        sortedIDs = []
    }

    public init(_ ids: some Sequence<UInt32>) {
        sortedIDs = Array(Set(ids)).sorted()
    }

    init(sortedUnique: [UInt32]) {
        sortedIDs = sortedUnique
    }

    /// The union of id lists that are each sorted and unique (the values of index keys), merged
    /// pairwise in a balanced order: n log(lists) instead of hashing and sorting every id.
    init(mergingSorted lists: [[UInt32]]) {
        var level = lists.map { InternalIDSet(sortedUnique: $0) }
        guard !level.isEmpty else { self.init(); return }
        while level.count > 1 {
            var next: [InternalIDSet] = []
            next.reserveCapacity((level.count + 1) / 2)
            for pair in stride(from: 0, to: level.count, by: 2) {
                next.append(pair + 1 < level.count ? level[pair].union(level[pair + 1]) : level[pair])
            }
            level = next
        }
        self = level[0]
    }

    public var count: Int { sortedIDs.count }
    public var isEmpty: Bool { sortedIDs.isEmpty }

    public func contains(_ id: UInt32) -> Bool {
        var low = 0
        var high = sortedIDs.count
        while low < high {
            let middle = (low + high) / 2
            if sortedIDs[middle] < id {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < sortedIDs.count && sortedIDs[low] == id
    }

    public func intersection(_ other: InternalIDSet) -> InternalIDSet {
        var result: [UInt32] = []
        var left = 0
        var right = 0
        while left < sortedIDs.count, right < other.sortedIDs.count {
            let a = sortedIDs[left]
            let b = other.sortedIDs[right]
            if a == b {
                result.append(a)
                left += 1
                right += 1
            } else if a < b {
                left += 1
            } else {
                right += 1
            }
        }
        return InternalIDSet(sortedUnique: result)
    }

    public func union(_ other: InternalIDSet) -> InternalIDSet {
        var result: [UInt32] = []
        result.reserveCapacity(sortedIDs.count + other.sortedIDs.count)
        var left = 0
        var right = 0
        while left < sortedIDs.count || right < other.sortedIDs.count {
            if right == other.sortedIDs.count || (left < sortedIDs.count && sortedIDs[left] < other.sortedIDs[right]) {
                result.append(sortedIDs[left])
                left += 1
            } else if left == sortedIDs.count || other.sortedIDs[right] < sortedIDs[left] {
                result.append(other.sortedIDs[right])
                right += 1
            } else {
                result.append(sortedIDs[left])
                left += 1
                right += 1
            }
        }
        return InternalIDSet(sortedUnique: result)
    }

    public func subtracting(_ other: InternalIDSet) -> InternalIDSet {
        var result: [UInt32] = []
        var right = 0
        for id in sortedIDs {
            while right < other.sortedIDs.count, other.sortedIDs[right] < id {
                right += 1
            }
            if right == other.sortedIDs.count || other.sortedIDs[right] != id {
                result.append(id)
            }
        }
        return InternalIDSet(sortedUnique: result)
    }
}
