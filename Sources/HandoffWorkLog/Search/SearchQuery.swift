/// Turns a person's question into an SQLite FTS5 query.
enum SearchQuery {
    /// Words too common to say what a question is about.
    private static let stopWords: Set<String> = [
        "a", "about", "after", "all", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
        "could", "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "in", "into", "is",
        "it",
        "its", "me", "my", "of", "on", "or", "so", "than", "that", "the", "their", "them", "then", "there",
        "these", "they", "this", "to", "use", "used", "was", "we", "were", "what", "when", "where", "which",
        "who", "why", "will", "with", "would", "you", "your",
    ]

    /// The words of `question` as FTS5 terms joined by OR (an entry with more of them ranks higher), each
    /// quoted so that no character of the question is read as FTS5 syntax; nil when it has no words.
    static func matchExpression(_ question: String) -> String? {
        var words: [String] = []
        var current = ""
        for scalar in question.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        var seen = Set<String>()
        words = Array(words.filter { seen.insert($0).inserted }.prefix(32))
        guard !words.isEmpty else { return nil }
        let meaningful = words.filter { !stopWords.contains($0) }
        return (meaningful.isEmpty ? words : meaningful).map { "\"\($0)\"" }.joined(separator: " OR ")
    }
}
