import Foundation

/// The `BertNormalizer` stage of tokenizer.json: clean the text, isolate CJK
/// ideographs, strip accents and lower-case, in that order.
struct BertNormalizer: Sendable, Equatable {
    var cleansText = true
    var isolatesCJKIdeographs = true
    var stripsAccents = true
    var lowercases = true

    func normalize(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(input.count + 8)
        for scalar in input {
            if cleansText {
                // NUL and U+FFFD (the decoder's replacement for invalid
                // bytes) carry no meaning; nor do control/format characters.
                if scalar.value == 0 || scalar.value == 0xFFFD || scalar.isBertControl { continue }
                if scalar.isBertWhitespace {
                    scalars.append(" ")
                    continue
                }
            }
            if isolatesCJKIdeographs && scalar.isCJKIdeograph {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        if stripsAccents {
            scalars = Self.strippingAccents(scalars)
        }
        if lowercases {
            scalars = Self.lowercasing(scalars)
        }
        return scalars
    }

    /// NFD, then drop nonspacing marks (category Mn): "café" -> "cafe".
    private static func strippingAccents(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // ASCII is its own NFD and has no marks; most input takes this path.
        if scalars.allSatisfy({ $0.isASCII }) { return scalars }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        let decomposed = String(text).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    /// Per-character full lower-case mapping, without context: Rust's
    /// `char::to_lowercase` as `tokenizers` applies it (so a final capital
    /// sigma becomes σ, not ς, and İ becomes "i̇").
    private static func lowercasing(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                let value = scalar.value
                result.append((65...90).contains(value) ? Unicode.Scalar(UInt8(value + 32)) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return result
    }
}
