import Foundation
import HandoffJSON
import HandoffKit
import Testing

/// Records a Swift Testing issue listing every error unless `document` is a valid artifact of `schema` (or of
/// the schema it declares).
///
/// ```swift
/// @Test func theAnalyzerWritesAValidWorkLog() {
///     expectValidArtifact(analyzer.workLog().toAgentArtifact(), schema: "work-log-v1")
/// }
/// ```
/// - Returns: What the check found, for further assertions.
@discardableResult
public func expectValidArtifact(
    _ document: JSONValue, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ArtifactCheck {
    record(ArtifactCheck.of(document, schema: schema, catalog: catalog), sourceLocation: sourceLocation)
}

/// Records a Swift Testing issue unless the JSON `encoder` makes of `value` is a valid artifact.
@discardableResult
public func expectValidArtifact(
    _ value: some Encodable, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    encoder: JSONEncoder = JSONEncoder(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> ArtifactCheck {
    record(
        ArtifactCheck.of(value, schema: schema, catalog: catalog, encoder: encoder),
        sourceLocation: sourceLocation)
}

/// Records a Swift Testing issue unless the file holds a valid artifact.
@discardableResult
public func expectValidArtifact(
    file path: String, schema: String? = nil, catalog: SchemaCatalog = .builtIn,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ArtifactCheck {
    record(ArtifactCheck.of(file: path, schema: schema, catalog: catalog), sourceLocation: sourceLocation)
}

private func record(_ check: ArtifactCheck, sourceLocation: SourceLocation) -> ArtifactCheck {
    if !check.isValid {
        Issue.record(
            Comment(rawValue: "Expected a valid artifact, but it is \(check)"), sourceLocation: sourceLocation
        )
    }
    return check
}
