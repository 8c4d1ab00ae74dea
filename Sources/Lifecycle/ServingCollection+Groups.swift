import Storage

/// Points of one value of the `group_by` field, best first.
public struct PointGroup: Sendable {
    public var id: JSONValue
    public var hits: [SearchHit]
}

extension ServingCollection {
    /// Qdrant's query groups: the query's best points grouped by the values of `groupBy`
    /// (keyword or integer; a point with an array of values joins each of its groups), at most
    /// `groupSize` per group and `request.root.limit` groups, groups ordered by their best hit.
    /// Candidates are fetched in widening windows until the groups fill or the query runs dry.
    public func queryGroups(_ request: QueryRequest, groupBy: String, groupSize: Int) throws -> [PointGroup] {
        let path: PayloadPath
        do { path = try PayloadPath(parsing: groupBy) } catch { throw LifecycleError.invalidRequest("invalid `group_by` `\(groupBy)`: \(error)") }
        let groups = request.root.limit
        guard groupSize >= 1, groups >= 0 else { throw LifecycleError.invalidRequest("`group_size` and `limit` must be at least 1") }
        guard groups > 0 else { return [] }
        var window = min(Self.maximumResultWindow, max(groups * groupSize * 2, 16))
        while true {
            var widened = request
            widened.root.limit = window
            widened.offset = 0
            widened.withPayload = true
            let hits = try query(widened).hits
            let grouped = Self.group(hits, path: path, groups: groups, groupSize: groupSize)
            let full = grouped.count == groups && grouped.allSatisfy { $0.hits.count == groupSize }
            if full || hits.count < window || window == Self.maximumResultWindow {
                guard !request.withPayload else { return grouped }
                return grouped.map { group in
                    PointGroup(id: group.id, hits: group.hits.map { hit in
                        var hit = hit
                        hit.point.payload = [:]
                        return hit
                    })
                }
            }
            window = min(Self.maximumResultWindow, window * 4)
        }
    }

    static func group(_ hits: [SearchHit], path: PayloadPath, groups: Int, groupSize: Int) -> [PointGroup] {
        var order: [JSONValue] = []
        var members: [JSONValue: [SearchHit]] = [:]
        for hit in hits {
            var seen = Set<JSONValue>()
            for value in path.leafValues(in: hit.point.payload) where seen.insert(value).inserted {
                switch value {
                case .string, .int: break
                default: continue
                }
                if members[value] == nil {
                    guard order.count < groups else { continue }
                    order.append(value)
                }
                if members[value, default: []].count < groupSize { members[value, default: []].append(hit) }
            }
        }
        return order.map { PointGroup(id: $0, hits: members[$0] ?? []) }
    }
}
