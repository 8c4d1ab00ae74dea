extension PayloadPath {
    /// The payload without the value at this path (in every element, for `[]` steps).
    func removing(from payload: [String: JSONValue]) -> [String: JSONValue] {
        guard case .object(let result) = Self.remove(segments[...], from: .object(payload)) else {
            preconditionFailure("removal keeps an object an object")
        }
        return result
    }

    private static func remove(_ segments: ArraySlice<Segment>, from value: JSONValue) -> JSONValue {
        guard let segment = segments.first else { return value }
        let rest = segments.dropFirst()
        switch (segment, value) {
        case (.key(let key), .object(var members)):
            if rest.isEmpty {
                members[key] = nil
            } else if let child = members[key] {
                members[key] = remove(rest, from: child)
            }
            return .object(members)
        case (.eachElement, .array(let elements)):
            return .array(elements.map { remove(rest, from: $0) })
        default:
            return value
        }
    }
}
