/// What a filter needs from its collection before it can be evaluated: the tokenizer of each
/// full-text condition's field, and which vectors its `has_vector` conditions name.
extension Filter {
    /// Every name a `has_vector` condition asks about, nested filters included.
    var vectorNamesAsked: Set<String> {
        var names = Set<String>()
        for condition in must + should + mustNot {
            switch condition {
            case .hasVector(let name): names.insert(name)
            case .filter(let inner), .nested(_, let inner): names.formUnion(inner.vectorNamesAsked)
            case .field, .hasID, .isEmpty, .isNull: break
            }
        }
        return names
    }

    /// The filter with every full-text condition tokenizing as its field's text index does, so
    /// that index lookups and payload checks of the same condition agree. `indexTokenizer`
    /// answers nil for fields without a text index; their conditions match substrings, as
    /// Qdrant's do. Keys inside `nested` are looked up as `path[].key`, the path an index on
    /// those elements has.
    func bindingTextTokenizers(_ indexTokenizer: (String) -> TextTokenizer?) -> Filter {
        bindingTextTokenizers(under: nil, indexTokenizer)
    }

    private func bindingTextTokenizers(under nestedPath: String?, _ indexTokenizer: (String) -> TextTokenizer?) -> Filter {
        func bind(_ condition: Condition) -> Condition {
            switch condition {
            case .field(var field):
                guard case .text(var match) = field.predicate else { return condition }
                let fullPath = nestedPath.map { Self.elementPath($0, key: field.key.rawValue) } ?? field.key.rawValue
                let tokenizer = indexTokenizer(fullPath)
                match.tokenizer = tokenizer ?? .standard
                match.matchesSubstrings = tokenizer == nil
                field.predicate = .text(match)
                return .field(field)
            case .filter(let inner):
                return .filter(inner.bindingTextTokenizers(under: nestedPath, indexTokenizer))
            case .nested(let path, let inner):
                let fullPath = nestedPath.map { Self.elementPath($0, key: path.rawValue) } ?? path.rawValue
                return .nested(path: path, filter: inner.bindingTextTokenizers(under: fullPath, indexTokenizer))
            case .hasID, .hasVector, .isEmpty, .isNull:
                return condition
            }
        }
        return Filter(must: must.map(bind), should: should.map(bind), mustNot: mustNot.map(bind))
    }

    private static func elementPath(_ arrayPath: String, key: String) -> String {
        arrayPath.hasSuffix("[]") ? "\(arrayPath).\(key)" : "\(arrayPath)[].\(key)"
    }
}
