/// Evaluation against one point, with no storage access: the reference every index-assisted
/// answer must agree with.
extension Filter {
    public func matches(id: PointID, payload: [String: JSONValue]) -> Bool {
        for condition in must where !condition.matches(id: id, payload: payload) {
            return false
        }
        if !should.isEmpty, !should.contains(where: { $0.matches(id: id, payload: payload) }) {
            return false
        }
        for condition in mustNot where condition.matches(id: id, payload: payload) {
            return false
        }
        return true
    }
}

extension Condition {
    public func matches(id: PointID, payload: [String: JSONValue]) -> Bool {
        switch self {
        case .field(let condition):
            return condition.matches(payload: payload)
        case .hasID(let ids):
            return ids.contains(id)
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
                    return filter.matches(id: id, payload: members)
                }
            }
        case .filter(let filter):
            return filter.matches(id: id, payload: payload)
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
        case .valuesCount:
            preconditionFailure("values_count looks at the whole value, not at leaves")
        }
    }
}
