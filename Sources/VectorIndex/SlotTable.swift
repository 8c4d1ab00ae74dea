/// Where each id's node lives. Ids are usually dense (a store's internal ids count up from 0),
/// so they index an array: an exact scan of 5,000 filter matches looks up 5,000 slots, and a
/// hash lookup each cost more than the distances. Ids far beyond the count go to a dictionary,
/// so one huge id cannot make the array huge.
struct SlotTable {
    private static let absent = UInt32.max - 1
    private var dense: [UInt32] = []
    private var sparse: [UInt32: UInt32] = [:]
    private(set) var count = 0

    /// Room for ids 0..<capacity without regrowing (a snapshot load knows its size).
    mutating func reserveCapacity(_ capacity: Int) {
        if capacity > dense.count { dense.append(contentsOf: repeatElement(Self.absent, count: capacity - dense.count)) }
    }

    subscript(id: UInt32) -> UInt32? {
        get {
            if Int(id) < dense.count {
                let slot = dense[Int(id)]
                return slot == Self.absent ? nil : slot
            }
            return sparse[id]
        }
        set {
            if let slot = newValue { insert(slot, for: id) } else { _ = removeValue(forKey: id) }
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: UInt32) -> UInt32? {
        if Int(id) < dense.count {
            let slot = dense[Int(id)]
            guard slot != Self.absent else { return nil }
            dense[Int(id)] = Self.absent
            count -= 1
            return slot
        }
        guard let slot = sparse.removeValue(forKey: id) else { return nil }
        count -= 1
        return slot
    }

    private mutating func insert(_ slot: UInt32, for id: UInt32) {
        precondition(slot != Self.absent, "slot \(slot) is reserved")
        let index = Int(id)
        if index >= dense.count, index < max(1 << 16, 4 * (count + 1)) {
            // Grow by doubling, and move the sparse ids the array now covers.
            let size = max(index + 1, dense.count * 2, 1024)
            dense.append(contentsOf: repeatElement(Self.absent, count: size - dense.count))
            for (sparseID, sparseSlot) in sparse where Int(sparseID) < size {
                dense[Int(sparseID)] = sparseSlot
                sparse.removeValue(forKey: sparseID)
            }
        }
        if index < dense.count {
            if dense[index] == Self.absent { count += 1 }
            dense[index] = slot
        } else {
            if sparse.updateValue(slot, forKey: id) == nil { count += 1 }
        }
    }
}
