/// The English stop words of bm25s: `STOPWORDS_EN` in `bm25s/stopwords.py`
/// (bm25s 0.3.16), the list `bm25s.tokenize(..., stopwords="en")` drops.
/// It is Lucene's classic English stop set, 33 words, and much shorter than
/// NLTK's 179-word list: "what", "from" or "have" are kept as terms.
///
/// The words are compared with tokens after lower-casing and before
/// stemming, as bm25s does, so "ins" is kept and then stems to "in".
public enum EnglishStopWords {
    public static let words: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they",
        "this", "to", "was", "will", "with",
    ]
}
