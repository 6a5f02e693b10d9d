import HandoffJSON
import HandoffSchema

/// Resolves schema URIs that start with a prefix from files under a directory, so `$ref`s into a schema
/// repository work offline: with prefix `https://schemas.example.com/` and directory `./schemas`,
/// `https://schemas.example.com/bots/review.json` is read from `./schemas/bots/review.json`. A URI without
/// the file's extension finds it too: `urn:handoff:cli:inbox` under prefix `urn:handoff:cli:` is
/// `inbox.schema.json` (or `inbox.json`) in the directory.
public struct DirectorySchemaLoader: SchemaLoader {
    public let prefix: String
    public let directory: String

    public init(prefix: String, directory: String) {
        self.prefix = prefix
        self.directory = directory
    }

    /// Parses `PREFIX=DIR`, as `--resolve` takes it.
    public init(mapping: String) throws(HandoffError) {
        guard let equals = mapping.firstIndex(of: "="), equals != mapping.startIndex,
            mapping.index(after: equals) != mapping.endIndex
        else {
            throw HandoffError(
                .usage, "\(quotedForMessage(mapping)) is not URI-PREFIX=DIR",
                hint: "for example --resolve https://schemas.example.com/=./schemas")
        }
        self.init(
            prefix: String(mapping[..<equals]), directory: String(mapping[mapping.index(after: equals)...]))
    }

    public func loadSchema(at uri: String) throws -> JSONValue? {
        guard uri.hasPrefix(prefix) else { return nil }
        let relative = uri.dropFirst(prefix.count)
        // A URI must not climb out of the directory it maps to.
        guard !relative.split(separator: "/").contains("..") else {
            throw HandoffError(
                .invalidInput, "schema URI \(quotedForMessage(uri)) climbs out of \(directory)")
        }
        let base = directory + (directory.hasSuffix("/") || relative.hasPrefix("/") ? "" : "/") + relative
        // Schema files are usually named after their URI with an extension: `…/inbox` is `inbox.schema.json`.
        guard
            let path = [base, base + ".schema.json", base + ".json"].first(where: {
                FileIO.fileSize($0) != nil
            })
        else { return nil }
        let limits = JSONParser.Limits()
        return try ArtifactDocument.parse(
            try FileIO.readRegularFile(path, maxSize: limits.maxBytes, followLink: true), source: path,
            limits: limits)
    }
}
