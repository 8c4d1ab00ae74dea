/// Membership of internal ids in O(1), for the per-node filter check inside a graph or
/// posting walk: one bit per id up to the largest, so 1M points cost 128 KB.
public struct IDBitmap: Sendable {
    private var words: [UInt64]

    public init(_ ids: [UInt32]) {
        let highest = Int(ids.last ?? 0)
        words = [UInt64](repeating: 0, count: highest / 64 + 1)
        for id in ids { words[Int(id) >> 6] |= 1 << UInt64(id & 63) }
    }

    @inline(__always)
    public func contains(_ id: UInt32) -> Bool {
        let word = Int(id) >> 6
        return word < words.count && words[word] & (1 << UInt64(id & 63)) != 0
    }
}
