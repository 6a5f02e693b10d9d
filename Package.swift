// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Handoff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .executable(name: "handoff-mcp", targets: ["handoff-mcp"]),
        .executable(name: "handoff-ui", targets: ["handoff-ui"]),
        .library(name: "HandoffJSON", targets: ["HandoffJSON"]),
        .library(name: "HandoffSchema", targets: ["HandoffSchema"]),
        .library(name: "HandoffKit", targets: ["HandoffKit"]),
        .library(name: "HandoffWorkLog", targets: ["HandoffWorkLog"]),
        .library(name: "HandoffPostgres", targets: ["HandoffPostgres"]),
        .library(name: "HandoffMCP", targets: ["HandoffMCP"]),
        .library(name: "HandoffHTML", targets: ["HandoffHTML"]),
        .library(name: "HandoffTesting", targets: ["HandoffTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        // The web UI's HTTP server (handoff-ui only). Its default traits bring swift-configuration and full
        // Foundation, neither of which the UI uses.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Hummingbird's own dependencies, named for what the UI reads of them: the port it was given
        // (NIOCore), a quiet logger (Logging), the start of a graceful shutdown (ServiceLifecycle) and header
        // names (HTTPTypes).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "HandoffJSON"),
        .target(
            name: "HandoffSchema",
            dependencies: ["HandoffJSON"],
            // The schemas of the command line's --json output are documentation and test data, not built in.
            exclude: ["BuiltIn/cli"],
            resources: [
                .embedInCode("Metaschemas/schema.json"),
                .embedInCode("Metaschemas/meta/core.json"),
                .embedInCode("Metaschemas/meta/applicator.json"),
                .embedInCode("Metaschemas/meta/unevaluated.json"),
                .embedInCode("Metaschemas/meta/validation.json"),
                .embedInCode("Metaschemas/meta/meta-data.json"),
                .embedInCode("Metaschemas/meta/format-annotation.json"),
                .embedInCode("Metaschemas/meta/format-assertion.json"),
                .embedInCode("Metaschemas/meta/content.json"),
                // BuiltIn is a link to the repository's Schemas folder, the one source of the built-in schemas.
                .embedInCode("BuiltIn/escalation-v1.schema.json"),
                .embedInCode("BuiltIn/handoff-request-v1.schema.json"),
                .embedInCode("BuiltIn/insight-v1.schema.json"),
                .embedInCode("BuiltIn/security-scan-v1.schema.json"),
                .embedInCode("BuiltIn/tool-result-v1.schema.json"),
                .embedInCode("BuiltIn/work-log-entry-v1.schema.json"),
                .embedInCode("BuiltIn/work-log-v1.schema.json"),
                .embedInCode("BuiltIn/work-session-v1.schema.json"),
            ]
        ),
        .target(
            name: "HandoffKit",
            dependencies: [
                "HandoffJSON",
                "HandoffSchema",
                "CXXHash",
                "CSQLite",
            ]
        ),
        .target(name: "HandoffWorkLog", dependencies: ["HandoffKit"]),
        // The same store in a PostgreSQL database, for bots on many hosts, through libpq.
        .target(
            name: "HandoffPostgres",
            dependencies: ["HandoffKit", "HandoffJSON", "HandoffSchema", "CPostgres"]),
        .target(
            name: "HandoffMCP",
            dependencies: ["HandoffKit", "HandoffWorkLog", .product(name: "MCP", package: "swift-sdk")]
        ),
        .executableTarget(name: "handoff-mcp", dependencies: ["HandoffMCP", "HandoffPostgres"]),
        // The pages of the web UI and the static HTML exports, rendered from the store: no HTTP in it, so that
        // `handoff explain --format html` links none.
        .target(name: "HandoffHTML", dependencies: ["HandoffKit", "HandoffWorkLog", "HandoffJSON"]),
        .target(
            name: "HandoffUI",
            dependencies: [
                "HandoffHTML", "HandoffKit", "HandoffWorkLog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(name: "handoff-ui", dependencies: ["HandoffUI", "HandoffPostgres"]),
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffKit",
                "HandoffWorkLog",
                "HandoffHTML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "HandoffTesting", dependencies: ["HandoffKit", "HandoffPostgres"]),
        .executableTarget(name: "handoff", dependencies: ["HandoffCLI", "HandoffPostgres"]),
        // Writes the manual pages, one per command, from `handoff --experimental-dump-help` (scripts/install).
        .executableTarget(name: "handoff-manual"),
        .executableTarget(
            name: "handoff-bench",
            dependencies: ["HandoffKit", "HandoffWorkLog", "HandoffPostgres", "HandoffHTML"],
            path: "Sources/HandoffBench"
        ),
        // Where the test suites find the data shared beside the repository: one lookup for all of them.
        .target(name: "SharedTestData", path: "Tests/SharedTestData"),
        .testTarget(
            name: "HandoffJSONTests", dependencies: ["HandoffJSON", "SharedTestData"], exclude: ["Fixtures"]),
        .testTarget(
            name: "HandoffSchemaTests", dependencies: ["HandoffSchema", "SharedTestData"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "HandoffKitTests", dependencies: ["HandoffKit", "HandoffTesting"], exclude: ["Fixtures"]),
        .testTarget(name: "HandoffTestingTests", dependencies: ["HandoffTesting"]),
        .testTarget(
            name: "HandoffWorkLogTests", dependencies: ["HandoffWorkLog", "HandoffTesting"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "HandoffHTMLTests",
            dependencies: ["HandoffHTML", "HandoffKit", "HandoffWorkLog", "HandoffTesting"]),
        .testTarget(
            name: "HandoffCLITests",
            dependencies: [
                "HandoffCLI", "HandoffJSON", "HandoffSchema", "HandoffKit", "HandoffWorkLog",
                "HandoffTesting", "handoff", "handoff-mcp", "handoff-ui", "handoff-manual",
            ],
            exclude: ["Fixtures"]),
    ]
)
