/// Evaluation against one point, with no storage access: the reference every index-assisted
/// answer must agree with. Which vectors a point has is not in its payload, so `has_vector`
/// conditions ask `hasVector`; the store answers it from its vector databases.
extension Filter {
    public func matches(id: PointID, payload: [String: JSONValue], hasVector: (String) -> Bool) -> Bool {
        for condition in must where !condition.matches(id: id, payload: payload, hasVector: hasVector) {
            return false
        }
        if !should.isEmpty, !should.contains(where: { $0.matches(id: id, payload: payload, hasVector: hasVector) }) {
            return false
        }
        for condition in mustNot where condition.matches(id: id, payload: payload, hasVector: hasVector) {
            return false
        }
        return true
    }

    /// Evaluation that knows no vectors: every `has_vector` condition reads as false. Exact for
    /// filters without `has_vector`; the store never uses it for filters with one.
    public func matches(id: PointID, payload: [String: JSONValue]) -> Bool {
        matches(id: id, payload: payload, hasVector: { _ in false })
    }
}

extension Condition {
    public func matches(id: PointID, payload: [String: JSONValue], hasVector: (String) -> Bool) -> Bool {
        switch self {
        case .field(let condition):
            return condition.matches(payload: payload)
        case .hasID(let ids):
            return ids.contains(id)
        case .hasVector(let name):
            return hasVector(name)
        case .isEmpty(let path):
            return path.values(in: payload).allSatisfy { value in
                switch value {
                case .null: true
                case .array(let elements): elements.isEmpty
                default: false
                }
            }
        case .isNull(let path):
            return path.values(in: payload).contains(where: \.isNull)
        case .nested(let path, let filter):
            return path.values(in: payload).contains { value in
                let elements = value.arrayValue ?? [value]
                return elements.contains { element in
                    guard case .object(let members) = element else { return false }
                    return filter.matches(id: id, payload: members, hasVector: hasVector)
                }
            }
        case .filter(let filter):
            return filter.matches(id: id, payload: payload, hasVector: hasVector)
        }
    }
}

extension FieldCondition {
    public func matches(payload: [String: JSONValue]) -> Bool {
        switch predicate {
        case .valuesCount(let range):
            let count = key.values(in: payload).reduce(0) { total, value in
                total + (value.arrayValue?.count ?? 1)
            }
            return range.contains(Double(count))
        case .text(let match):
            // All-tokens looks at the tokens of every value together, as the index does.
            return match.matches(values: key.leafValues(in: payload).compactMap(\.stringValue))
        default:
            return key.leafValues(in: payload).contains { predicate.matches(leaf: $0) }
        }
    }
}

extension FieldPredicate {
    /// Whether one leaf value (an array element, or a non-array value) satisfies the predicate.
    func matches(leaf value: JSONValue) -> Bool {
        switch self {
        case .match(let expected):
            return expected.equals(value)
        case .matchAny(let candidates):
            return candidates.contains { $0.equals(value) }
        case .matchExcept(let excluded):
            return !value.isNull && !excluded.contains { $0.equals(value) }
        case .range(let range):
            guard let number = value.numericValue else { return false }
            return range.contains(number)
        case .datetimeRange(let range):
            guard let text = value.stringValue, let instant = PayloadDatetime.microseconds(parsing: text) else { return false }
            return range.contains(instant)
        case .valuesCount, .text:
            preconditionFailure("values_count and full-text matches look at all values together, not at leaves")
        }
    }
}
