import Storage

/// The collection's read path for everything that is not a nearest-neighbour query: the
/// routes call these, never the store.
extension ServingCollection {
    /// The points with these ids, in request order; ids that do not exist are left out.
    public func retrieve(_ ids: [PointID], withVector: Bool) throws -> [Point] {
        try store.get(ids: ids, withVector: withVector)
    }

    /// A page of points in id order from `offset` (inclusive), optionally filtered.
    public func scroll(from offset: PointID?, limit: Int, filter: Filter?, withVector: Bool) throws -> ScrollPage {
        try store.scroll(from: offset, limit: limit, filter: filter, withVector: withVector)
    }

    /// Vectors in the serving build's indexes, over every vector name.
    public var indexedVectorCount: Int { indexes.fields.reduce(0) { $0 + $1.index.liveCount } }

    /// The first `limit` points matching `filter` ordered by a payload field's integer, float or
    /// datetime index; a point with several values appears once per value.
    public func scroll(orderedBy order: OrderBy, limit: Int, filter: Filter?, withVector: Bool) throws -> [OrderedPoint] {
        try store.scroll(orderedBy: order, limit: limit, filter: filter, withVector: withVector)
    }

    /// Live points matching `filter` (all when nil).
    public func count(filter: Filter?) throws -> Int {
        try filter == nil ? store.count() : store.count(filter: filter)
    }

    /// Counts of a keyword, integer or bool field's values among the matching points.
    public func facet(field: String, filter: Filter?, limit: Int) throws -> [FacetHit] {
        try store.facet(field: field, filter: filter, limit: limit)
    }
}
