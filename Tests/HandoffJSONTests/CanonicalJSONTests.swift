import Foundation
import HandoffJSON
import Testing

struct CanonicalJSONTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try CanonicalJSON.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    /// RFC 8785 section 3.2.2's example.
    @Test func rfc8785Example() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    /// RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji (a surrogate pair) comes before U+FB33.
    @Test func rfc8785KeyOrder() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let value = try JSONParser.parse(canonical(input))
        let keys = try #require(value.objectValue).keys
        #expect(keys == ["\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1f600}", "\u{fb33}"])
    }

    @Test(arguments: [
        (#"{"b":1,"a":2,"c":{"z":[],"y":{}}}"#, #"{"a":2,"b":1,"c":{"y":{},"z":[]}}"#),
        ("[1.0, -0, 1e21, 1e-7, 0.000001, 100E-2, -1.5e+300]", "[1,0,1e+21,1e-7,0.000001,1,-1.5e+300]"),
        (#""\u001f\u007f\u2028\ud83d\ude00""#, "\"\\u001f\u{7f}\u{2028}😀\""),
        (#"{"\u00e9": 1, "e\u0301": 2}"#, "{\"e\u{301}\":2,\"\u{e9}\":1}"),
        (
            "[5e-324, 1.7976931348623157e308, 9007199254740991]",
            "[5e-324,1.7976931348623157e+308,9007199254740991]"
        ),
    ])
    func canonicalForms(input: String, expected: String) throws {
        #expect(try canonical(input) == expected)
    }

    @Test func canonicalFormIsAFixedPoint() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let value = randomValue(depth: 0, using: &generator)
            let once = CanonicalJSON.encode(value)
            let reparsed = try JSONParser.parse(once)
            #expect(reparsed == value)
            #expect(CanonicalJSON.encode(reparsed) == once)
            let pretty = JSONWriter.encode(value, options: .pretty)
            #expect(CanonicalJSON.encode(try JSONParser.parse(pretty)) == once)
        }
    }

    /// Every line of the fixture is a double's bit pattern and what a JavaScript engine prints for it
    /// (`scripts/number-vectors.mjs` wrote them).
    @Test func numbersMatchECMAScriptVectors() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/es-numbers.txt")
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 50_000)
        var mismatches: [String] = []
        for line in lines {
            let parts = line.split(separator: " ")
            let bits = try #require(UInt64(parts[0], radix: 16))
            let value = Double(bitPattern: bits)
            let written = String(decoding: CanonicalJSON.encode(.number(value)), as: UTF8.self)
            if written != parts[1] { mismatches.append("\(parts[0]): \(written) != \(parts[1])") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }

    /// Fresh random doubles against a JavaScript engine, when one is installed: the fixture's seed is fixed,
    /// this one is not.
    @Test func numbersMatchLiveECMAScript() throws {
        guard let node = findExecutable("node") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("node is not installed; the live ECMAScript comparison cannot run")
            }
            return
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/number-vectors.mjs").standardized
        let seed = UInt32.random(in: 1...UInt32.max)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = [script.path, "200000", String(seed)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        var checked = 0
        var mismatches: [String] = []
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            let value = Double(bitPattern: try #require(UInt64(parts[0], radix: 16)))
            let written = String(decoding: CanonicalJSON.encode(.number(value)), as: UTF8.self)
            if written != parts[1] { mismatches.append("\(parts[0]): \(written) != \(parts[1])") }
            checked += 1
        }
        #expect(checked == 200_000)
        #expect(
            mismatches.isEmpty, "seed \(seed): \(mismatches.count) mismatches, first: \(mismatches.prefix(5))"
        )
    }

    @Test func writtenNumbersReadBackExactly() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<100_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            let text = CanonicalJSON.encode(.number(value))
            let back = try JSONParser.parse(text)
            #expect(back == .number(value), "\(value)")
        }
    }
}

func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// SplitMix64: deterministic, so a failure reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
    let choice =
        depth > 4 ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<6, using: &generator)
    switch choice {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &generator))
    case 2:
        let bits = generator.next()
        let value = Double(bitPattern: bits)
        return .number(value.isFinite ? value : Double(Int32(truncatingIfNeeded: bits)))
    case 3: return .string(randomString(using: &generator))
    case 4:
        return .array(
            (0..<Int.random(in: 0..<5, using: &generator)).map { _ in
                randomValue(depth: depth + 1, using: &generator)
            })
    default:
        var object = JSONObject()
        for _ in 0..<Int.random(in: 0..<6, using: &generator) {
            object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
        }
        return .object(object)
    }
}

func randomString(using generator: inout SeededGenerator) -> String {
    let alphabet: [Unicode.Scalar] = [
        "a", "b", "Z", "0", "\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "\u{301}", "€", "\u{fb33}", "😀",
        "\u{10fffd}", "\u{e000}", " ",
    ]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0..<8, using: &generator) {
        scalars.append(alphabet.randomElement(using: &generator)!)
    }
    return String(scalars)
}

/// Objects keep their keys in UTF-16 order and find them by Unicode scalars, by linear search up to eight
/// keys and binary search beyond; both are held to a plain reference here.
struct JSONObjectTests {
    @Test func keysAreKeptInUTF16OrderAndFoundByTheirScalars() {
        var generator = SeededGenerator(seed: 7)
        for round in 0..<400 {
            var reference: [(key: [UInt16], text: String, value: Int)] = []
            var object = JSONObject()
            // Up to 8 keys takes the linear search, more the binary one.
            for value in 0..<Int.random(in: 0...(round % 2 == 0 ? 8 : 40), using: &generator) {
                let key =
                    randomString(using: &generator) + (round % 3 == 0 ? "shared-prefix-\(value % 4)" : "")
                object[key] = .number(Double(value))
                reference.removeAll { $0.text.unicodeScalars.elementsEqual(key.unicodeScalars) }
                reference.append((Array(key.utf16), key, value))
            }
            reference.sort { $0.key.lexicographicallyPrecedes($1.key) }
            #expect(object.keys.map { Array($0.utf16) } == reference.map(\.key))
            for entry in reference {
                #expect(object[entry.text] == .number(Double(entry.value)))
            }
            for _ in 0..<20 {
                let probe = randomString(using: &generator)
                let expected = reference.first { $0.text.unicodeScalars.elementsEqual(probe.unicodeScalars) }
                #expect(object[probe] == expected.map { .number(Double($0.value)) })
            }
        }
    }
}

struct InterchangeTests {
    @Test func valuesBuiltInCodeAreCheckedForWhatTheParserRefuses() throws {
        let nan: JSONValue = ["steps": [1, ["confidence": .number(.nan)]]]
        let problem = try #require(nan.firstInterchangeProblem())
        #expect(problem.pointer.description == "/steps/1/confidence")
        #expect(problem.message == "nan is not a JSON number")
        let fdd0 = String(Unicode.Scalar(0xFDD0)!)
        let key: JSONValue = ["a": .object([fdd0: 1])]
        #expect(key.firstInterchangeProblem()?.message == "the key \"\(fdd0)\" holds the noncharacter U+FDD0")
        #expect(key.firstInterchangeProblem()?.pointer == JSONPointer(tokens: ["a"]))
        let string: JSONValue = ["a": .string("x" + String(Unicode.Scalar(0x10FFFF)!))]
        #expect(string.firstInterchangeProblem()?.message == "the string holds the noncharacter U+10FFFF")
        let fine: JSONValue = ["a": [1.5, "é😀", nil, true]]
        #expect(fine.firstInterchangeProblem() == nil)
    }

    @Test func nonFiniteNumbersAreWrittenAsNull() {
        #expect(JSONValue.array([.number(.infinity), .number(.nan)]).description == "[null,null]")
    }
}
