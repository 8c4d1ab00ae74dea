/// The character classes BERT tokenization is defined by, as Hugging Face's
/// `tokenizers` (BertTokenizerFast) implements them.
extension Unicode.Scalar {
    /// Whitespace for cleaning and splitting: tab, newline, carriage return
    /// and the Unicode White_Space property (Rust's `char::is_whitespace`).
    var isBertWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return properties.isWhitespace
        }
    }

    /// Characters the normaliser deletes: categories Cc, Cf and Co, except
    /// the tab, newline and carriage return that count as whitespace.
    /// Unassigned code points (Cn) are kept, as `tokenizers` keeps them; the
    /// original Python BERT dropped them too, which only matters for text
    /// newer than the vocabulary anyway.
    var isBertControl: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        case 0..<0x20, 0x7F: return true
        default:
            switch properties.generalCategory {
            case .control, .format, .privateUse: return true
            default: return false
            }
        }
    }

    /// BERT's punctuation: every non-alphanumeric printable ASCII character
    /// (33–47, 58–64, 91–96, 123–126, so `$`, `+`, `<`, `^`, `` ` `` and `|`
    /// too, which Unicode calls symbols) plus Unicode categories P*.
    var isBertPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default:
            switch properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// The CJK ideograph ranges that get spaces around them, so each becomes
    /// its own word. These are BERT's ranges as `tokenizers` spells them:
    /// the sixth starts at U+2B920 there, where the original Python BERT has
    /// U+2B820. Matching the tokenizer.json runtime wins; the 256 code points
    /// in between (CJK Extension E) end up as [UNK] either way in practice.
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Whitespace as Python's `str.strip()` sees it (what sentence-transformers
    /// applies before tokenising): Unicode White_Space plus the ASCII
    /// information separators U+001C–U+001F.
    var isPythonWhitespace: Bool {
        switch value {
        case 0x1C...0x1F: return true
        default: return isBertWhitespace
        }
    }
}
