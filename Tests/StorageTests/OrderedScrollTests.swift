import Foundation
import Storage
import Testing

/// `scroll(orderedBy:)` on random data (seeded) against sorting every point's values by hand:
/// each point once per distinct value, filtered, from `startFrom`, ties by internal id.
@Suite struct OrderedScrollTests {
    static let indexes: [String: PayloadIndexType] = ["n": .integer, "x": .float, "t": .datetime, "g": .keyword]

    @Test(arguments: [21, 22] as [UInt64])
    func orderedScrollEqualsSortingByHand(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "ordered", dimension: 2, distance: .dot, payloadIndexes: Self.indexes))
        try collection.upsert((0 ..< 200).map { PointInput(id: .number(UInt64($0)), vector: [1, Float($0)], payload: Self.payload(&random)) })
        for _ in 0 ..< 40 {
            let id = PointID.number(UInt64.random(in: 0 ..< 200, using: &random))
            if Bool.random(using: &random) {
                try collection.delete(ids: [id])
            } else {
                try collection.upsert([PointInput(id: id, vector: [2, 1], payload: Self.payload(&random))])
            }
        }
        let everything = try CollectionSnapshot(collection).points

        for round in 0 ..< 120 {
            let key = ["n", "x", "t"].randomElement(using: &random)!
            let type = Self.indexes[key]!
            let direction: OrderBy.Direction = Bool.random(using: &random) ? .ascending : .descending
            let startFrom: OrderValue? = switch Int.random(in: 0 ..< 4, using: &random) {
            case 0: .integer(key == "t" ? 1_704_067_200_000_000 + Int64.random(in: -5 ... 5, using: &random) * 86_400_000_000 : Int64.random(in: -3 ... 12, using: &random))
            case 1: .double(Double(Int.random(in: -6 ... 24, using: &random)) / 2)
            default: nil
            }
            let order = OrderBy(key: key, direction: direction, startFrom: startFrom)
            let filter = Self.filter(&random)
            let limit = Int.random(in: 1 ... 40, using: &random)

            let got = try collection.scroll(orderedBy: order, limit: limit, filter: filter)
            let expected = Self.sortedByHand(everything, key: key, type: type, order: order, filter: filter, limit: limit)
            let description = "seed \(seed) round \(round): \(order) \(filter?.json.jsonText ?? "-") limit \(limit)"
            #expect(got.map(\.point.id) == expected.map(\.id), "\(description)")
            #expect(got.map(\.orderValue) == expected.map(\.value), "\(description)")
        }
    }

    @Test func orderingNeedsAnOrderedIndex() throws {
        let directory = try TemporaryDirectory()
        let store = try Store.temporary(in: directory)
        let collection = try store.createCollection(CollectionSchema(name: "docs", dimension: 2, distance: .dot, payloadIndexes: Self.indexes))
        #expect(throws: StorageError.invalidOrderBy("ordering by `g` needs an integer, float or datetime payload index, but its index is keyword; create one with PUT /collections/docs/index")) {
            try collection.scroll(orderedBy: OrderBy(key: "g"), limit: 3)
        }
        #expect(throws: StorageError.invalidOrderBy("ordering by `free` needs an integer, float or datetime payload index, but it has no payload index; create one with PUT /collections/docs/index")) {
            try collection.scroll(orderedBy: OrderBy(key: "free"), limit: 3)
        }
        #expect(throws: StorageError.invalidLimit(0)) { try collection.scroll(orderedBy: OrderBy(key: "n"), limit: 0) }
    }

    // MARK: Reference

    static func orderValues(_ payload: [String: JSONValue], key: String, type: PayloadIndexType) -> Set<OrderValue> {
        Set(PayloadPath(stringLiteral: key).leafValues(in: payload).compactMap { value -> OrderValue? in
            switch (type, value) {
            case (.integer, .int(let integer)): .integer(integer)
            case (.float, .int(let integer)): .double(Double(integer))
            case (.float, .double(let double)): .double(double)
            case (.datetime, .string(let text)): PayloadDatetime.microseconds(parsing: text).map(OrderValue.integer)
            default: nil
            }
        })
    }

    static func number(_ value: OrderValue) -> Double {
        switch value {
        case .integer(let integer): Double(integer)
        case .double(let double): double
        }
    }

    static func sortedByHand(_ points: [Point], key: String, type: PayloadIndexType, order: OrderBy, filter: Filter?, limit: Int) -> [(id: PointID, value: OrderValue)] {
        var entries: [(id: PointID, internalID: UInt32, value: OrderValue)] = []
        for point in points where filter?.matches(id: point.id, payload: point.payload) ?? true {
            for value in orderValues(point.payload, key: key, type: type) {
                if let start = order.startFrom {
                    // Integer starts compare exactly with integer values.
                    let before: Bool = switch (value, start) {
                    case let (.integer(a), .integer(b)): order.direction == .ascending ? a < b : a > b
                    default: order.direction == .ascending ? number(value) < number(start) : number(value) > number(start)
                    }
                    if before { continue }
                }
                entries.append((point.id, point.internalID, value))
            }
        }
        entries.sort { left, right in
            let ascending = left.value == right.value ? left.internalID < right.internalID : number(left.value) < number(right.value)
            let equal = left.value == right.value && left.internalID == right.internalID
            return order.direction == .ascending ? ascending : !ascending && !equal
        }
        return entries.prefix(limit).map { ($0.id, $0.value) }
    }

    // MARK: Generators

    static func payload(_ random: inout SeededGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        func pick(_ options: [JSONValue?]) -> JSONValue? { options.randomElement(using: &random)! }
        func integer() -> JSONValue { .int(Int64.random(in: -3 ... 12, using: &random)) }
        func day() -> JSONValue {
            .string(PayloadDatetime.format(microseconds: 1_704_067_200_000_000 + Int64.random(in: -6 ... 6, using: &random) * 86_400_000_000
                    + Int64.random(in: 0 ... 3, using: &random) * 3_600_000_000))
        }
        members["n"] = pick([integer(), integer(), .array([integer(), integer()]), 2.5, "7", nil])
        members["x"] = pick([integer(), .double(Double(Int.random(in: -6 ... 24, using: &random)) / 2), [3, 3.0], .array([integer(), 0.5]), "x", nil])
        members["t"] = pick([day(), day(), .array([day(), day()]), "2024-01-01", "not a date", .int(5), nil])
        members["g"] = pick(["a", "b", nil])
        return .object(members.compactMapValues { $0 })
    }

    static func filter(_ random: inout SeededGenerator) -> Filter? {
        switch Int.random(in: 0 ..< 5, using: &random) {
        case 0: nil
        case 1: .matching("g", .keyword("a"))
        case 2: Filter(must: [.field(FieldCondition(key: "n", predicate: .range(NumericRange(greaterThanOrEqual: 2))))])
        case 3: Filter(mustNot: [.field(FieldCondition(key: "x", predicate: .range(NumericRange(lessThan: 1))))])
        default: Filter(should: [.isEmpty("g"), .field(FieldCondition(key: "n", predicate: .match(.integer(4))))])
        }
    }
}
