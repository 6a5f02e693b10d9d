import Foundation
import Testing

@testable import HandoffKit

/// How `how` reads text and questions: the same on every backend, so it is tested here, once.
struct SearchTextTests {
    /// Porter's stemmer, against 6,691 words stemmed by an independent implementation (NLTK's, in the mode
    /// that is Porter's own C code; scripts/fixtures/porter_vocabulary.py made the list).
    @Test func theStemmerAgreesWithPortersReference() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/porter.txt")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        var compared = 0
        var wrong: [String] = []
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            compared += 1
            let stem = PorterStemmer.stem(String(parts[0]))
            if stem != parts[1] { wrong.append("\(parts[0]): \(stem), not \(parts[1])") }
        }
        #expect(compared > 6_000)
        #expect(wrong.isEmpty, "\(wrong.count) wrong: \(wrong.prefix(20))")
    }

    @Test func wordsAreLowerCaseWithLatinAccentsFolded() {
        #expect(
            SearchText.words(of: "Café naïve RÉSUMÉ, 42 rate-limit_exceeded") == [
                "cafe", "naive", "resume", "42", "rate", "limit", "exceeded",
            ])
        // Decomposed accents (e + combining acute) read the same as composed ones.
        #expect(SearchText.words(of: "cafe\u{301}") == ["cafe"])
        #expect(SearchText.words(of: "日本語 Straße ĸ") == ["日本語", "straße", "ĸ"])
        #expect(SearchText.stems(of: "Escalated the escalation; escalating") == "escal the escal escal")
    }

    @Test func questionsKeepTheirMeaningfulWordsAndQuotedPhrases() throws {
        let terms = try #require(SearchTerms(question: #"Why did you escalate the "rate limits" twice?"#))
        #expect(terms.words == ["escal", "twice"])
        #expect(terms.phrases == [["rate", "limit"]])
        #expect(terms.patterns == [" escal ", " twice ", " rate limit "])
        // Common words alone are still looked for; nothing at all is no question.
        #expect(
            try #require(SearchTerms(question: "why did you")).words
                == ["why", "did", "you"].map(PorterStemmer.stem))
        #expect(SearchTerms(question: "?! ...") == nil)
        // A quoted single word is a word; an unclosed quote runs to the end.
        #expect(
            try #require(SearchTerms(question: #""timeout" and "slow disk"#)).phrases == [["slow", "disk"]])
    }
}
