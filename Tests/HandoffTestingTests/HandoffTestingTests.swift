import Foundation
import HandoffJSON
import HandoffKit
import HandoffTesting
import Testing
import XCTest

private let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Samples")

/// An artifact as a user's code might model it.
struct ToolResult: Encodable {
    struct Input: Encodable {
        var args: [String] = []
        var kwargs: [String: String]
    }

    var schema = "tool-result-v1"
    var tool: String
    var input: Input
    var status: String
    var durationMs: Int

    enum CodingKeys: String, CodingKey {
        case schema, tool, input, status
        case durationMs = "duration_ms"
    }
}

struct ExpectValidArtifactTests {
    @Test func validArtifactsPassQuietly() throws {
        let check = expectValidArtifact(
            file: samples.appendingPathComponent("valid/work-log-v1/bookmark-analysis.json").path)
        #expect(check.schema == "work-log-v1")
        #expect(check.isValid)
        expectValidArtifact(
            ToolResult(
                tool: "bird", input: .init(kwargs: ["command": "bookmarks"]), status: "success",
                durationMs: 1200))
        expectValidArtifact([
            "schema": "handoff-request-v1", "task": "review", "expected_schema": "tool-result-v1",
            "priority": "high",
        ])
    }

    @Test func invalidArtifactsRecordAnIssueListingEveryError() {
        withKnownIssue {
            expectValidArtifact(
                ToolResult(tool: "", input: .init(kwargs: [:]), status: "maybe", durationMs: -1))
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined()
            return text.contains("Expected a valid artifact, but it is not a valid tool-result-v1 artifact:")
                && text.contains("/tool: ") && text.contains("/status: \"maybe\" is not one of")
                && text.contains("/duration_ms: -1 is less than the minimum 0")
        }
    }

    @Test func aDocumentOfAnotherSchemaOrNoSchemaFails() {
        withKnownIssue {
            expectValidArtifact(["schema": "work-log-v1"], schema: "tool-result-v1")
        } matching: { issue in
            issue.comments.map(\.rawValue).joined().contains(
                "/schema: declares work-log-v1, expected tool-result-v1")
        }
        withKnownIssue {
            expectValidArtifact(["tool": "bird"])
        } matching: { issue in
            issue.comments.map(\.rawValue).joined().contains(#"the artifact has no top-level "schema" field"#)
        }
        let check = ArtifactCheck.of(
            file: samples.appendingPathComponent("invalid/work-log-v1/confidence-above-one.json").path)
        #expect(check.errors == ["/decisions/2/confidence: 1.7 is greater than the maximum 1"])
        #expect(check.validationErrors.first?.keywordLocation.hasSuffix("/confidence/maximum") == true)
    }

    @Test func aTemporaryStoreCleansUpAfterItself() throws {
        var path = ""
        do {
            let temporary = try TemporaryStore()
            path = temporary.path
            let result = try temporary.store.put(
                ["schema": "handoff-request-v1", "task": "t", "expected_schema": "x-v1", "priority": "low"],
                from: "a", to: ["b"])
            #expect(try temporary.store.inbox("b").map(\.artifactID) == [result.id])
            #expect(FileManager.default.fileExists(atPath: path + "/index.sqlite"))
        }
        #expect(!path.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

/// The XCTest assertion, with the failures it records captured instead of failing this test. Only the
/// assertion under test is captured; this test's own assertions report as usual.
final class XCTAssertValidArtifactTests: XCTestCase {
    private var captured: [String]?

    override func recordFailure(
        withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool
    ) {
        if captured != nil {
            captured!.append(description)
        } else {
            super.recordFailure(
                withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    /// The failures `body` records.
    private func failures(_ body: () -> Void) -> [String] {
        captured = []
        body()
        let recorded = captured ?? []
        captured = nil
        return recorded
    }

    func testValidArtifactRecordsNoFailure() {
        let recorded = failures {
            XCTAssertValidArtifact(
                file: samples.appendingPathComponent("valid/security-scan-v1/x-bookmarks.json").path)
            XCTAssertValidArtifact(
                encoding: ToolResult(
                    tool: "bird", input: .init(kwargs: [:]), status: "success", durationMs: 3))
        }
        XCTAssertEqual(recorded, [])
    }

    func testInvalidArtifactRecordsOneFailureWithTheErrors() {
        let recorded = failures {
            XCTAssertValidArtifact(["schema": "security-scan-v1", "risk_score": 150], "from the scanner")
        }
        XCTAssertEqual(recorded.count, 1)
        let failure = recorded.first ?? ""
        XCTAssertTrue(failure.contains("not a valid security-scan-v1 artifact"), failure)
        XCTAssertTrue(failure.contains("/risk_score: 150 is greater than the maximum 100"), failure)
        XCTAssertTrue(failure.contains("from the scanner"), failure)
    }

    func testAValueThePutWouldRefuseFailsTheCheckToo() {
        let recorded = failures {
            XCTAssertValidArtifact([
                "schema": "handoff-request-v1", "task": "t", "expected_schema": "x-v1",
                "priority": .number(.nan),
            ])
        }
        XCTAssertEqual(recorded.count, 1)
        XCTAssertTrue(
            recorded.first?.contains("the document at /priority: nan is not a JSON number") == true,
            recorded.first ?? "")
    }
}
