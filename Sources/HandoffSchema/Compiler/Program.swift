import HandoffJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    func matches(_ string: some Instance, budget: Int, steps: inout Int) throws(ECMARegexBudgetExceeded)
        -> Bool
    {
        if let simple {
            return string.withUTF8 { utf8 in
                steps += utf8.count
                return simple.matches(utf8: utf8)
            }
        }
        return try regex.matches(string.textValue, budget: budget, steps: &steps)
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
    /// The names for a lookup by an instance key's bytes, sorted by `NameKey`.
    private let lookup: [(key: NameKey, position: Int)]
    /// The names' UTF-8 bytes, one after another; `NameKey.start` is where each begins.
    private let nameBytes: [UInt8]
    let patterns: [(pattern: Pattern, edge: Edge)]
    let additional: Edge?
    /// `additionalProperties: false`, reported once per extra property at the object.
    let additionalIsFalse: Bool
    /// The positions in `names` of the properties the schema's `required` names, as bits, when it names
    /// only properties among the first 64: a yes/no pass checks they were all met during the walk.
    let requiredMask: UInt64

    init(
        properties: [(String, Edge)], patterns: [(pattern: Pattern, edge: Edge)], additional: Edge?,
        additionalIsFalse: Bool, requiredMask: UInt64 = 0
    ) {
        self.requiredMask = requiredMask
        names = properties.map(\.0)
        edges = properties.map(\.1)
        var bytes: [UInt8] = []
        var lookup: [(key: NameKey, position: Int)] = []
        for (position, name) in names.enumerated() {
            let utf8 = Array(name.utf8)
            let key = utf8.withUnsafeBufferPointer { NameKey($0, start: bytes.count) }
            // A repeated name is found at its first position, as a scan in schema order would find it.
            if !lookup.contains(where: { $0.key.matches(key, bytes, utf8) }) {
                lookup.append((key, position))
            }
            bytes += utf8
        }
        self.lookup = lookup.sorted { $0.key < $1.key }
        nameBytes = bytes
        self.patterns = patterns
        self.additional = additional
        self.additionalIsFalse = additionalIsFalse
    }

    /// The same applicator, checking that the properties at the positions in `mask` are present.
    func requiring(_ mask: UInt64) -> ObjectApplicator {
        ObjectApplicator(
            properties: Array(zip(names, edges)), patterns: patterns, additional: additional,
            additionalIsFalse: additionalIsFalse, requiredMask: mask)
    }

    /// The position in `names` of the property whose name has these UTF-8 bytes.
    ///
    /// A binary search by length and first eight bytes, which tell most names apart without reading
    /// them; only a candidate with both equal is compared in full.
    func property(utf8 key: UnsafeBufferPointer<UInt8>) -> Int? {
        let wanted = NameKey(key, start: 0)
        return lookup.withUnsafeBufferPointer { lookup in
            var low = 0
            var high = lookup.count
            while low < high {
                let middle = (low + high) / 2
                if lookup[middle].key < wanted {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            while low < lookup.count, lookup[low].key.length == wanted.length,
                lookup[low].key.prefix == wanted.prefix
            {
                let candidate = lookup[low]
                if key.count <= 8 { return candidate.position }
                let same = nameBytes.withUnsafeBufferPointer {
                    memcmp($0.baseAddress! + candidate.key.start, key.baseAddress!, key.count) == 0
                }
                if same { return candidate.position }
                low += 1
            }
            return nil
        }
    }
}

/// A property name summarised for lookups: its length and its first eight bytes as one integer.
private struct NameKey {
    let length: Int
    let prefix: UInt64
    /// Where the name's bytes start in `ObjectApplicator.nameBytes`.
    let start: Int

    init(_ utf8: UnsafeBufferPointer<UInt8>, start: Int) {
        length = utf8.count
        var prefix: UInt64 = 0
        for position in 0..<min(8, utf8.count) { prefix |= UInt64(utf8[position]) << (8 * UInt64(position)) }
        self.prefix = prefix
        self.start = start
    }

    static func < (lhs: NameKey, rhs: NameKey) -> Bool {
        lhs.length != rhs.length ? lhs.length < rhs.length : lhs.prefix < rhs.prefix
    }

    /// Whether `other`, whose bytes are `otherBytes`, names the same property as this name in `bytes`.
    func matches(_ other: NameKey, _ bytes: [UInt8], _ otherBytes: [UInt8]) -> Bool {
        length == other.length && bytes[start..<start + length].elementsEqual(otherBytes)
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
    /// `required`; `checkedWithMembers` when every name is in the same schema's `properties`, so that a
    /// yes/no pass checks them as the object applicator walks the members (its `requiredMask`).
    case required([String], checkedWithMembers: Bool)
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
