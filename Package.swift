// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Handoff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .library(name: "HandoffJSON", targets: ["HandoffJSON"]),
        .library(name: "HandoffSchema", targets: ["HandoffSchema"]),
        .library(name: "HandoffKit", targets: ["HandoffKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        .target(name: "HandoffJSON"),
        .target(
            name: "HandoffSchema",
            dependencies: ["HandoffJSON"],
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
            ]
        ),
        .target(
            name: "HandoffKit",
            dependencies: [
                "HandoffJSON",
                "CXXHash",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.embedInCode("Resources/bookmark-analysis.json")]
        ),
        .executableTarget(name: "handoff", dependencies: ["HandoffCLI"]),
        .executableTarget(
            name: "handoff-bench",
            dependencies: ["HandoffKit"],
            path: "Sources/HandoffBench"
        ),
        .executableTarget(
            name: "handoff-schema-bench",
            dependencies: ["HandoffSchema"],
            path: "Sources/HandoffSchemaBench"
        ),
        .testTarget(name: "HandoffJSONTests", dependencies: ["HandoffJSON"], exclude: ["Fixtures"]),
        .testTarget(name: "HandoffSchemaTests", dependencies: ["HandoffSchema"], exclude: ["Fixtures"]),
        .testTarget(name: "HandoffKitTests", dependencies: ["HandoffKit"]),
        .testTarget(name: "HandoffCLITests", dependencies: ["HandoffCLI", "HandoffKit", "handoff"]),
    ]
)
