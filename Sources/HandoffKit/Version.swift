/// The version of Handoff: of the `handoff` and `handoff-mcp` commands, their `--json` output and the MCP
/// server's `serverInfo`, from this one place.
///
/// Before 1.0, a minor version may change an output's shape; `Schemas/cli/README.md` lists each change.
public enum HandoffVersion {
    /// This version, as `handoff --version` prints it.
    public static let current = "0.2.0"
}

/// The MCP server's limits, shared by `handoff mcp` (which passes them on) and `handoff-mcp` (which serves).
public enum MCPLimits {
    /// The longest JSON-RPC message the server reads, in bytes, unless `--max-bytes` says otherwise.
    public static let defaultMessageBytes = 16 << 20
}
