import HandoffJSON
import Testing

struct JSONParserTests {
    @Test(
        arguments: [
            ("null", JSONValue.null),
            (" true ", .bool(true)),
            ("false", .bool(false)),
            ("0", .number(0)),
            ("-0", .number(-0.0)),
            ("12.5e-1", .number(1.25)),
            ("1E+2", .number(100)),
            ("9007199254740992", .number(9_007_199_254_740_992)),
            ("-9007199254740993.0", .number(-9_007_199_254_740_992)),
            ("1e-400", .number(0)),
            (#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#, .string("a\"\\/\u{8}\u{c}\n\r\té😀")),
            (#""é日本""#, .string("é日本")),
            ("[]", .array([])),
            ("{}", .object(JSONObject())),
            (
                #"{"a": [1, {"b": null}], "c": "d"}"#,
                ["a": [1, ["b": nil] as JSONValue], "c": "d"] as JSONValue
            ),
            ("\t\r\n [1 , 2]\n", [1, 2] as JSONValue),
        ] as [(String, JSONValue)])
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    /// Strings are scanned eight bytes at a time until something other than plain ASCII: whatever the
    /// position of that byte, it is found.
    @Test func whatEndsAPlainRunIsFoundAtEveryOffset() throws {
        for offset in 0..<20 {
            let run = String(repeating: "a", count: offset)
            for (spelled, value) in [
                (#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("é", "é"), ("😀", "😀"), ("", ""),
            ] {
                let text = "\"" + run + spelled + run + "\""
                #expect(try JSONParser.parse(text) == .string(run + value + run), "\(text)")
            }
            #expect {
                try JSONParser.parse("\"" + run + "\u{1}" + run + "\"")
            } throws: { error in
                let error = error as! JSONParseError
                return error.code == .controlCharacter && error.column == offset + 2
            }
            #expect(throws: JSONParseError.self) { try JSONParser.parse("\"" + run + run) }
        }
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let code: JSONParseError.Code
        let line: Int
        let column: Int
        let message: String

        init(
            _ name: String, _ text: String, _ code: JSONParseError.Code, line: Int = 1, column: Int,
            _ message: String
        ) {
            self.init(name, Array(text.utf8), code, line: line, column: column, message)
        }

        init(
            _ name: String, _ bytes: [UInt8], _ code: JSONParseError.Code, line: Int = 1, column: Int,
            _ message: String
        ) {
            self.name = name
            self.bytes = bytes
            self.code = code
            self.line = line
            self.column = column
            self.message = message
        }

        var testDescription: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection("empty", "", .empty, column: 1, "empty input: expected a JSON document"),
        Rejection(
            "only whitespace", "  \n ", .empty, line: 2, column: 2, "no JSON document, only whitespace"),
        Rejection(
            "duplicate key", "{\n  \"step\": 1,\n  \"step\": 2\n}", .duplicateKey, line: 3, column: 3,
            #"duplicate key "step""#),
        Rejection(
            "duplicate key through an escape", #"{"a": 1, "\u0061": 2}"#, .duplicateKey, column: 10,
            #"duplicate key "a""#),
        Rejection("NaN", "NaN", .unexpectedCharacter, column: 1, #"invalid literal "NaN"; expected a value"#),
        Rejection("Infinity", "-Infinity", .invalidNumber, column: 1, "Infinity is not a JSON number"),
        Rejection(
            "bare Infinity", "[Infinity]", .unexpectedCharacter, column: 2,
            #"invalid literal "Infinity"; expected a value"#),
        Rejection(
            "inexact integer", "{\"n\": 9007199254740993}", .inexactInteger, column: 7,
            "integer 9007199254740993 cannot be held exactly by a JSON number (an IEEE double); send it as a string"
        ),
        Rejection(
            "inexact big integer", "123456789012345678901234567890", .inexactInteger, column: 1,
            "integer 123456789012345678901234567890 cannot be held exactly by a JSON number (an IEEE double); send it as a string"
        ),
        Rejection(
            "number out of range", "[1e400]", .numberOutOfRange, column: 2,
            "number 1e400 is beyond the range of an IEEE double (about ±1.8e308)"),
        Rejection("leading zero", "012", .invalidNumber, column: 1, "numbers must not have leading zeros"),
        Rejection("bare minus", "-", .invalidNumber, column: 2, "expected a digit after '-'"),
        Rejection(
            "dot without digits", "1.", .invalidNumber, column: 3, "expected a digit after the decimal point"),
        Rejection(
            "leading dot", ".5", .unexpectedCharacter, column: 1, "unexpected character '.'; expected a value"
        ),
        Rejection("empty exponent", "1e+", .invalidNumber, column: 4, "expected a digit in the exponent"),
        Rejection("hex", "0x1F", .invalidNumber, column: 1, "hexadecimal numbers are not JSON"),
        Rejection(
            "trailing garbage", "{} x", .trailingData, column: 4,
            "unexpected character 'x' after the end of the JSON document"),
        Rejection(
            "two documents", "1 2", .trailingData, column: 3,
            "unexpected character '2' after the end of the JSON document"),
        Rejection(
            "trailing comma in array", "[1,]", .unexpectedCharacter, column: 4,
            "unexpected character ']'; expected a value"),
        Rejection(
            "trailing comma in object", #"{"a":1,}"#, .unexpectedCharacter, column: 8,
            "unexpected character '}'; expected a string key"),
        Rejection(
            "missing colon", #"{"a" 1}"#, .unexpectedCharacter, column: 6,
            #"unexpected character '1'; expected ':' after the key "a""#),
        Rejection(
            "single quotes", "['a']", .unexpectedCharacter, column: 2,
            "unexpected character '''; expected a value"),
        Rejection(
            "comment", "[1] // note", .trailingData, column: 5,
            "unexpected character '/' after the end of the JSON document"),
        Rejection(
            "truncated array", "[1, 2", .unexpectedEnd, column: 6,
            "unexpected end of input; expected ',' or ']'"),
        Rejection(
            "truncated object", #"{"a": "#, .unexpectedEnd, column: 7,
            "unexpected end of input; expected a value"),
        Rejection(
            "unterminated string", #"{"a": "abc"#, .unexpectedEnd, column: 7,
            "unterminated string: the input ends before its closing quote"),
        Rejection(
            "raw newline in string", "\"a\nb\"", .controlCharacter, column: 3,
            "control character U+000A in a string; write it as an escape such as \\n or \\u000a"),
        Rejection(
            "invalid escape", #""\x41""#, .invalidEscape, column: 2,
            #"invalid escape '\x' in a string; valid escapes are \" \\ \/ \b \f \n \r \t \uXXXX"#),
        Rejection(
            "short unicode escape", #""\u12""#, .invalidEscape, column: 2,
            "\\u must be followed by 4 hex digits"),
        Rejection(
            "lone high surrogate", #""\ud83d""#, .loneSurrogate, column: 2,
            "unpaired high surrogate \\ud83d in a string: it must be followed by a low surrogate escape"),
        Rejection(
            "lone low surrogate", #""\ude00x""#, .loneSurrogate, column: 2,
            "unpaired low surrogate \\ude00 in a string"),
        Rejection(
            "high surrogate then non-surrogate", #""\ud83d\u0041""#, .loneSurrogate, column: 2,
            "high surrogate \\ud83d is followed by \\u0041, which is not a low surrogate"),
        Rejection(
            "noncharacter escape", #""\uffff""#, .noncharacter, column: 2,
            "the noncharacter U+FFFF is not allowed in I-JSON text"),
        Rejection(
            "invalid UTF-8 byte", [0x22, 0x61, 0xFF, 0x22], .notUTF8, column: 3,
            "invalid UTF-8: byte 0xff cannot start a character"),
        Rejection(
            "overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22], .notUTF8, column: 2,
            "invalid UTF-8: byte 0xc0 cannot start a character"),
        Rejection(
            "UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], .notUTF8, column: 2,
            "invalid UTF-8: byte 0xa0 after 0xed (overlong, surrogate or truncated sequence)"),
        Rejection(
            "truncated UTF-8", [0x22, 0xE6, 0x97], .notUTF8, column: 2,
            "invalid UTF-8: the input ends inside a multi-byte character"),
        Rejection(
            "Latin-1 text", [0x22, 0x63, 0x61, 0x66, 0xE9, 0x22], .notUTF8, column: 5,
            "invalid UTF-8: byte 0x22 after 0xe9 (overlong, surrogate or truncated sequence)"),
        Rejection(
            "byte order mark", [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .byteOrderMark, column: 1,
            "input starts with a UTF-8 byte order mark, which JSON does not allow; remove it"),
        Rejection(
            "UTF-16", [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], .notUTF8, column: 1,
            "input is not UTF-8 (it looks like UTF-16 or UTF-32); convert it to UTF-8"),
        Rejection(
            "stray byte outside strings", [0x5B, 0xC3, 0xA9, 0x5D], .unexpectedCharacter, column: 2,
            "unexpected character é; expected a value"),
        Rejection(
            "error position counts characters", "{\"é\": tru}", .unexpectedCharacter, column: 7,
            #"invalid literal "tru"; expected a value"#),
    ]

    @Test(arguments: rejections)
    func rejectsWithCodeAndPosition(_ rejection: Rejection) {
        #expect {
            try JSONParser.parse(rejection.bytes)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            #expect(error.code == rejection.code)
            #expect(error.message == rejection.message)
            #expect(error.line == rejection.line)
            #expect(error.column == rejection.column)
            return true
        }
    }

    @Test func errorDescriptionLeadsWithThePosition() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,\n 2,,]") }
        do {
            _ = try JSONParser.parse("[1,\n 2,,]")
        } catch {
            #expect(error.description == "line 2, column 4: unexpected character ','; expected a value")
        }
    }

    @Test(arguments: [1_000_000, 300])
    func deepArraysFailCleanly(depth: Int) {
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            let error = error as! JSONParseError
            return error.code == .tooDeep && error.message == "nesting is deeper than the limit of 256 levels"
                && error.column == 257
        }
    }

    @Test func deepObjectsFailCleanly() {
        let text = String(repeating: #"{"a":"#, count: 1_000_000)
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            (error as! JSONParseError).code == .tooDeep
        }
    }

    @Test func depthLimitIsTheCallersToChange() throws {
        let depth = 1_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        let value = try JSONParser.parse(text, limits: .init(maxDepth: depth))
        #expect(CanonicalJSON.encode(value) == Array(text.utf8))
    }

    @Test func depthLimitCannotExceedTheCeiling() {
        var limits = JSONParser.Limits()
        limits.maxDepth = 10_000_000
        #expect(limits.maxDepth == JSONParser.Limits.depthCeiling)
        let depth = JSONParser.Limits.depthCeiling + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text, limits: limits) }
    }

    @Test func sizeLimit() {
        let text = "\"" + String(repeating: "x", count: 2_000) + "\""
        #expect {
            try JSONParser.parse(text, limits: .init(maxBytes: 1_000))
        } throws: { error in
            (error as! JSONParseError).message == "document is 2002 bytes, more than the limit of 1000"
        }
        #expect(throws: Never.self) { try JSONParser.parse(text, limits: .init(maxBytes: 2_002)) }
    }

    @Test func keysAreComparedByScalarsNotCanonicalEquivalence() throws {
        // "é" precomposed and "e" + combining acute are different keys in JSON.
        let value = try JSONParser.parse(#"{"\u00e9": 1, "e\u0301": 2}"#)
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(object["\u{e9}"] == 1)
        #expect(object["e\u{301}"] == 2)
        #expect(JSONValue.string("\u{e9}") != JSONValue.string("e\u{301}"))
    }

    @Test func largeObjectsFindDuplicatesAndLookUpKeys() throws {
        var members = (0..<100).map { "\"k\($0)\": \($0)" }
        let value = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        #expect(value["k73"] == 73)
        members.append("\"k42\": 0")
        #expect {
            try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        } throws: { error in
            (error as! JSONParseError).message == #"duplicate key "k42""#
        }
    }

    @Test func numbersAreCorrectlyRounded() throws {
        let cases: [(String, Double)] = [
            ("0.1", 0.1), ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)),
            ("1.7976931348623157e308", .greatestFiniteMagnitude),
            ("4.9e-324", .leastNonzeroMagnitude), ("123456789012345678.5e-3", 123456789012345.6785),
            ("0.30000000000000004", 0.30000000000000004),
            ("9007199254740993.0", 9_007_199_254_740_992), ("1e23", 1e23), ("8.41e21", 8.41e21),
        ]
        for (text, expected) in cases {
            #expect(try JSONParser.parse(text) == .number(expected), "\(text)")
        }
    }

    /// Numbers of 16 to 19 digits are rounded in 128-bit integer arithmetic: every one must read as the C
    /// library's correctly rounded `strtod` (through `Double(String)`) reads it, ties and near-ties included.
    @Test func longDecimalsReadAsStrtodReadsThem() throws {
        var random = SystemRandomNumberGenerator()
        var texts: [String] = [
            "0.5700000000000001", "0.8200000000000001", "0.9199999999999999",
            "9007199254740993.0", "18446744073709551615e-19", "1844674407370955161.5", "1.0000000000000002",
            "9999999999999999999e19", "1000000000000000000e-19", "4503599627370497.5", "4503599627370496.5",
        ]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 16...19, using: &random)
            var mantissa = String(UInt64.random(in: 1...9, using: &random))
            for _ in 1..<digits { mantissa += String(UInt64.random(in: 0...9, using: &random)) }
            let point = Int.random(in: 0...digits, using: &random)
            let exponent = Int.random(in: -19...19, using: &random) + (digits - point)
            var text = String(mantissa.prefix(point))
            if point < digits { text += (point == 0 ? "0." : ".") + mantissa.dropFirst(point) }
            if text.hasPrefix(".") { text = "0" + text }
            texts.append(text + "e" + String(exponent - (digits - point)))
            // A decimal exactly halfway between two doubles, where rounding must go to the even one:
            // (2m + 1) × 2^(e-1) for a 53-bit m, with a fraction so that it is read as a number to round.
            let m = UInt64.random(in: 1 << 52..<1 << 53, using: &random)
            texts.append(String((2 * m + 1) << UInt64.random(in: 0...9, using: &random)) + ".0")
        }
        for text in texts {
            guard let expected = Double(text) else { continue }
            #expect(try JSONParser.parse(text) == .number(expected), "\(text)")
            #expect(try JSONParser.parse("-" + text) == .number(-expected), "-\(text)")
        }
    }

    @Test func largeIntegersThatADoubleHoldsAreAccepted() throws {
        #expect(try JSONParser.parse("18446744073709551616") == .number(0x1p64))
        #expect(try JSONParser.parse("-1267650600228229401496703205376") == .number(-0x1p100))
        #expect(try JSONParser.parse("9007199254740994") == .number(9_007_199_254_740_994))
    }
}
