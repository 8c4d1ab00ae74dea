import Synchronization

/// The shape of a built graph: what explains a recall ceiling that no beam width lifts.
public struct GraphStatistics: Sendable, Equatable {
    /// Nodes at each level (index 0: every node).
    public var nodesPerLevel: [Int]
    /// Mean neighbour-list length at level 0.
    public var meanBaseDegree: Double
    /// Level-0 lists holding the full 2M neighbours.
    public var fullBaseLists: Int
    /// Nodes no level-0 list points to: a search can reach them only as the entry point.
    public var noBaseInLinks: Int
    /// Nodes a level-0 walk from the entry point cannot reach however wide its beam.
    public var unreachableFromEntry: Int
}

extension HNSWIndex {
    /// Counts over the whole graph as a snapshot sees it: inserts wait, searches go on.
    public func graphStatistics() -> GraphStatistics {
        mutationLock.withWriteLock { structureLock.withReadLock {
            let view = storage.view
            let nodes = min(allocatedSlots.load(ordering: .acquiring), view.capacity)
            var perLevel: [Int] = [nodes]
            var inLinks = [UInt32](repeating: 0, count: nodes)
            var degreeSum = 0
            var full = 0
            for slot in 0..<nodes {
                let level = Int(view.levels[slot])
                while perLevel.count <= level { perLevel.append(0) }
                for upper in stride(from: 1, through: level, by: 1) { perLevel[upper] += 1 }
                let list = view.links(UInt32(slot), level: 0)
                let count = min(Int(list[0]), view.maxNeighborsBase)
                degreeSum += count
                if count == view.maxNeighborsBase { full += 1 }
                for index in stride(from: 1, through: count, by: 1) {
                    let neighbor = Int(list[index])
                    if neighbor < nodes { inLinks[neighbor] &+= 1 }
                }
            }
            return GraphStatistics(
                nodesPerLevel: perLevel,
                meanBaseDegree: nodes == 0 ? 0 : Double(degreeSum) / Double(nodes),
                fullBaseLists: full,
                noBaseInLinks: inLinks.lazy.filter { $0 == 0 }.count,
                unreachableFromEntry: nodes - reachableAtBase(view, nodes: nodes))
        } }
    }

    private func reachableAtBase(_ view: GraphView, nodes: Int) -> Int {
        guard let start = entry.withLock({ $0 }).slot, Int(start) < nodes else { return 0 }
        var seen = [Bool](repeating: false, count: nodes)
        var frontier: [UInt32] = [start]
        seen[Int(start)] = true
        var reached = 1
        while let slot = frontier.popLast() {
            let list = view.links(slot, level: 0)
            let count = min(Int(list[0]), view.maxNeighborsBase)
            for index in stride(from: 1, through: count, by: 1) {
                let neighbor = Int(list[index])
                guard neighbor < nodes, !seen[neighbor] else { continue }
                seen[neighbor] = true
                reached += 1
                frontier.append(UInt32(neighbor))
            }
        }
        return reached
    }
}
