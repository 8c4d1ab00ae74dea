extension TextMatch {
    /// Qdrant's check for a field without a full-text index: byte-wise substring tests on each
    /// string value (no Unicode normalisation, as Rust's `str::contains`).
    func matchesAsSubstrings(_ values: [String]) -> Bool {
        switch mode {
        case .allTokens, .phrase:
            let needle = Array(query.utf8)
            return values.contains { Self.contains(Array($0.utf8), needle) }
        case .anyToken:
            let words = query.split(whereSeparator: \.isWhitespace).map { Array($0.utf8) }
            return values.contains { value in
                let haystack = Array(value.utf8)
                return words.contains { Self.contains(haystack, $0) }
            }
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0 ... haystack.count - needle.count where haystack[start] == needle[0] {
            if haystack[start ..< start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
