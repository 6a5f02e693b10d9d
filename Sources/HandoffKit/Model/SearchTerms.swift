import HandoffJSON

/// What `how` looks for: the words of a question and its quoted phrases, read as `SearchText` reads entries
/// (stems of lower-case words), without the words too common to say what it is about. It is Handoff's own
/// small syntax; each backend translates it into its full-text search (SQLite's FTS5, PostgreSQL's
/// `tsquery`), so no backend's syntax reaches the user.
///
/// An entry matches when one of its fields holds any of the words, or any phrase's words in a row; its
/// score is the sum, over the words and phrases it holds, of the weights of the fields that hold them
/// (`fieldWeights`), so entries that say more of the question, and say it in their message, come first.
///
/// ```swift
/// SearchTerms(question: #"why did you escalate the "rate limit"?"#)  // words ["escal"], phrases [["rate", "limit"]]
/// ```
public struct SearchTerms: Sendable, Equatable {
    /// Stems of words, each on its own.
    public var words: [String]
    /// Phrases: stems that must follow each other in one field.
    public var phrases: [[String]]

    /// The fields of an entry searched, and how much a term found in each counts.
    public static let fieldWeights: [(field: String, weight: Int)] = [
        ("message", 10), ("category", 3), ("details", 1), ("tool_name", 4), ("tool_error", 2), ("bot", 2),
    ]

    /// Each word and each phrase as the text a field's stems must hold, with spaces around: `" escal "`,
    /// `" rate limit "`.
    public var patterns: [String] {
        words.map { " \($0) " } + phrases.map { " " + joinedText($0, separator: " ") + " " }
    }

    /// The most terms one question is read for.
    public static let limit = 32

    /// Words too common to say what a question is about.
    private static let stopWords: Set<String> = [
        "a", "about", "after", "all", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
        "could", "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "in", "into", "is",
        "it", "its", "me", "my", "of", "on", "or", "so", "than", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "to", "use", "used", "was", "we", "were", "what", "when", "where",
        "which", "who", "why", "will", "with", "would", "you", "your",
    ]

    public init(words: [String], phrases: [[String]] = []) {
        self.words = words
        self.phrases = phrases
    }

    /// The terms of a person's question; nil when it has no words at all.
    public init?(question: String) {
        var words: [String] = []
        var phrases: [[String]] = []
        // Text between double quotes is a phrase; an unclosed quote runs to the end.
        for (index, part) in question.split(separator: "\"", omittingEmptySubsequences: false).enumerated() {
            let partWords = SearchText.words(of: part)
            if index % 2 == 1 {
                if partWords.count > 1 {
                    phrases.append(partWords)
                } else {
                    words += partWords
                }
            } else {
                words += partWords
            }
        }
        var seen = Set<String>()
        words = words.filter { seen.insert($0).inserted }
        let meaningful = words.filter { !Self.stopWords.contains($0) }
        // A question of common words only is still looked for.
        words = meaningful.isEmpty && phrases.isEmpty ? words : meaningful
        guard !words.isEmpty || !phrases.isEmpty else { return nil }
        // Stemmed as entries are, so that "escalate" finds "escalation".
        var stems = Set<String>()
        let wordStems = words.map(PorterStemmer.stem).filter { stems.insert($0).inserted }
        var phraseSeen = Set<[String]>()
        let phraseStems = phrases.map { $0.map(PorterStemmer.stem) }.filter { phraseSeen.insert($0).inserted }
        self.phrases = Array(phraseStems.prefix(Self.limit))
        self.words = Array(wordStems.prefix(max(0, Self.limit - self.phrases.count)))
    }
}
