import HandoffJSON

/// A compiled schema: every subschema reachable from the root as a `Node`, references resolved to node
/// indices, lookup tables built and regular expressions compiled. Immutable once built.
final class Program: Sendable {
    let nodes: [Node]
    let root: Int
    let resources: [ResourceInfo]
    /// Keyword paths of edges (`/properties/summary`), by `Edge.path`.
    let paths: [String]
    /// Whether any `$dynamicRef` can change its target, so that the validator must track which schema
    /// resources it has entered.
    let tracksDynamicScope: Bool
    let options: ValidationOptions

    init(
        nodes: [Node], root: Int, resources: [ResourceInfo], paths: [String], tracksDynamicScope: Bool,
        options: ValidationOptions
    ) {
        self.nodes = nodes
        self.root = root
        self.resources = resources
        self.paths = paths
        self.tracksDynamicScope = tracksDynamicScope
        self.options = options
    }
}

/// A schema resource as the validator sees it: its URI and its dynamic anchors' compiled nodes.
struct ResourceInfo: Sendable {
    let uri: String
    var dynamicAnchors: [String: Int]
}

/// One compiled subschema. A class, so that the validator passes one pointer around per level.
final class Node: Sendable {
    enum Kind: Sendable {
        /// `true` or `{}`.
        case alwaysValid
        /// `false`.
        case alwaysInvalid
        case keywords
    }

    let kind: Kind
    /// Keywords in evaluation order: cheap assertions first, `unevaluated*` last.
    let keywords: [Keyword]
    /// Index into `Program.resources`.
    let resource: Int
    /// Where the subschema is within its resource, as pointer text (for `absoluteKeywordLocation`).
    let pointer: String
    /// Whether a keyword of this node needs the evaluated properties or items of its siblings.
    let collectsAnnotations: Bool
    /// The target, when the node is nothing but a `$ref`: a yes/no validation goes straight there.
    let forward: Int?

    init(kind: Kind, keywords: [Keyword], resource: Int, pointer: String) {
        self.kind = kind
        self.keywords = keywords
        self.resource = resource
        self.pointer = pointer
        collectsAnnotations = keywords.contains {
            switch $0 {
            case .unevaluatedItems, .unevaluatedProperties: true
            default: false
            }
        }
        if keywords.count == 1, case .ref(let edge) = keywords[0] {
            forward = edge.node
        } else {
            forward = nil
        }
    }

    static let placeholder = Node(kind: .alwaysValid, keywords: [], resource: 0, pointer: "")
}

/// A JSON type set as a bit mask; `integer` is its own bit so that `["integer"]` and `["number"]` differ.
struct TypeMask: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeMask(rawValue: 1 << 0)
    static let boolean = TypeMask(rawValue: 1 << 1)
    static let object = TypeMask(rawValue: 1 << 2)
    static let array = TypeMask(rawValue: 1 << 3)
    static let number = TypeMask(rawValue: 1 << 4)
    static let string = TypeMask(rawValue: 1 << 5)
    static let integer = TypeMask(rawValue: 1 << 6)

    static let names: [(String, TypeMask)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array), ("number", .number),
        ("string", .string), ("integer", .integer),
    ]
}

/// A compiled `pattern` or `patternProperties` regular expression.
final class Pattern: Sendable {
    let source: String
    let regex: ECMARegex
    /// The same pattern as a bit-parallel matcher, when it is simple enough.
    let simple: SimplePattern?

    init(source: String, regex: ECMARegex) {
        self.source = source
        self.regex = regex
        simple = SimplePattern(source)
    }

    /// Whether the pattern matches somewhere in `string`, adding the steps it took to `steps` (one per
    /// byte for a simple pattern, which runs in linear time).
    /// - Throws: `ECMARegexBudgetExceeded` when matching would take more than `budget` steps.
    func matches(_ string: String, budget: Int, steps: inout Int) throws(ECMARegexBudgetExceeded) -> Bool {
        if let simple {
            steps += string.utf8.count
            return simple.matches(string)
        }
        return try regex.matches(string, budget: budget, steps: &steps)
    }
}

/// A reference to a child node with the keyword path that leads to it, written once at compile time so
/// that `keywordLocation` costs nothing until an error is reported. Plain integers, so that passing
/// edges around costs no reference counting.
struct Edge: Sendable {
    let node: Int
    /// Index into `Program.paths` of the escaped pointer text from the parent schema to the child, such
    /// as `/properties/summary`.
    let path: Int
}

/// `properties`, `patternProperties` and `additionalProperties`, evaluated in one pass over the members.
final class ObjectApplicator: Sendable {
    /// `properties` children in schema order.
    let names: [String]
    let edges: [Edge]
    /// Position in `names` by key, when there are enough names that hashing beats scanning.
    let table: [ScalarKey: Int]?
    let patterns: [(pattern: Pattern, edge: Edge)]
    let additional: Edge?
    /// `additionalProperties: false`, reported once per extra property at the object.
    let additionalIsFalse: Bool

    init(
        properties: [(String, Edge)], patterns: [(pattern: Pattern, edge: Edge)], additional: Edge?,
        additionalIsFalse: Bool
    ) {
        names = properties.map(\.0)
        edges = properties.map(\.1)
        if properties.count > 8 {
            var table: [ScalarKey: Int] = [:]
            for (position, name) in names.enumerated() where table[ScalarKey(name)] == nil {
                table[ScalarKey(name)] = position
            }
            self.table = table
        } else {
            table = nil
        }
        self.patterns = patterns
        self.additional = additional
        self.additionalIsFalse = additionalIsFalse
    }

    func property(named key: String) -> Int? {
        if let table { return table[ScalarKey(key)] }
        for (position, name) in names.enumerated() where scalarsEqual(name, key) { return position }
        return nil
    }
}

/// `prefixItems` and `items`, evaluated in one pass over the elements.
final class ArrayApplicator: Sendable {
    let prefix: [Edge]
    let items: Edge?
    /// `items: false` (with or without `prefixItems`), reported once per extra element at the array.
    let itemsIsFalse: Bool

    init(prefix: [Edge], items: Edge?, itemsIsFalse: Bool) {
        self.prefix = prefix
        self.items = items
        self.itemsIsFalse = itemsIsFalse
    }
}

struct DynamicReference: Sendable {
    /// The target as resolved statically.
    let edge: Edge
    /// The anchor to look for in the dynamic scope, when the static target bears that `$dynamicAnchor`.
    let anchor: String?
}

/// One compiled keyword (or a group of keywords evaluated together). Indirect, so that a keyword is one
/// pointer wide whatever its payload.
indirect enum Keyword: Sendable {
    /// The types allowed, and how a message lists them ("string or null").
    case type(TypeMask, expected: String)
    case const(JSONValue)
    case enumeration([JSONValue], Set<JSONValue>?)
    case multipleOf(Double)
    case maximum(Double)
    case exclusiveMaximum(Double)
    case minimum(Double)
    case exclusiveMinimum(Double)
    case maxLength(Int)
    case minLength(Int)
    case pattern(Pattern)
    case format(Format)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    /// `dependentRequired`, or the array members of the older `dependencies` (named by `keyword`).
    case dependentRequired([(property: String, required: [String])], keyword: String)
    case ref(Edge)
    case dynamicRef(DynamicReference)
    case allOf([Edge])
    case anyOf([Edge])
    case oneOf([Edge])
    case not(Edge)
    case conditional(if: Edge, then: Edge?, else: Edge?)
    case dependentSchemas([(property: String, edge: Edge)])
    case objectApplicator(ObjectApplicator)
    case propertyNames(Edge)
    case arrayApplicator(ArrayApplicator)
    case contains(Edge, min: Int, max: Int?)
    case unevaluatedProperties(Edge, isFalse: Bool)
    case unevaluatedItems(Edge, isFalse: Bool)
}
