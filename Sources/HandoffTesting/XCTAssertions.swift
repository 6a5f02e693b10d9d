import Foundation
import HandoffJSON
import HandoffKit
import XCTest

/// Fails the XCTest test, listing every error, unless `document` is a valid artifact of `schema` (or of the
/// schema it declares).
///
/// ```swift
/// func testScannerOutput() {
///     XCTAssertValidArtifact(scanner.result(), schema: "security-scan-v1")
/// }
/// ```
// swift-format-ignore: AlwaysUseLowerCamelCase
// XCTest's own assertions are named XCTAssert…; this one reads as one of them.
public func XCTAssertValidArtifact(
    _ document: @autoclosure () throws -> JSONValue, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    do {
        fail(
            ArtifactCheck.of(try document(), schema: schema, catalog: catalog), message(), file: file,
            line: line)
    } catch {
        XCTFail("could not get the document: \(error)", file: file, line: line)
    }
}

/// Fails the XCTest test unless the JSON `encoder` makes of `value` is a valid artifact.
// swift-format-ignore: AlwaysUseLowerCamelCase
// XCTest's own assertions are named XCTAssert…; this one reads as one of them.
public func XCTAssertValidArtifact<Value: Encodable>(
    encoding value: Value, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    encoder: JSONEncoder = JSONEncoder(),
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    fail(
        ArtifactCheck.of(value, schema: schema, catalog: catalog, encoder: encoder), message(), file: file,
        line: line)
}

/// Fails the XCTest test unless the file holds a valid artifact.
// swift-format-ignore: AlwaysUseLowerCamelCase
// XCTest's own assertions are named XCTAssert…; this one reads as one of them.
public func XCTAssertValidArtifact(
    file path: String, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    fail(ArtifactCheck.of(file: path, schema: schema, catalog: catalog), message(), file: file, line: line)
}

private func fail(_ check: ArtifactCheck, _ message: String, file: StaticString, line: UInt) {
    guard !check.isValid else { return }
    XCTFail(
        "Expected a valid artifact, but it is \(check)" + (message.isEmpty ? "" : " — \(message)"),
        file: file, line: line)
}
