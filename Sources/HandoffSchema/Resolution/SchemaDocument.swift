import HandoffJSON

/// A schema document with the schema resources (`$id`) and anchors it holds, found once when it is
/// registered so that references into it resolve without searching.
final class SchemaDocument: Sendable {
    /// A schema resource: the document root or a subschema with its own `$id`.
    struct Resource: Sendable {
        /// Absolute URI without fragment; `""` for the root of an anonymous document.
        let uri: String
        /// Where the resource sits, from the document root.
        let pointer: [String]
        /// Anchor name (from `$anchor` and `$dynamicAnchor`) to its place, from the document root.
        var anchors: [String: [String]]
        /// `$dynamicAnchor` name to its place, from the document root.
        var dynamicAnchors: [String: [String]]
        /// The `$schema` in force, resolved; `nil` when none is declared (2020-12 is assumed).
        let metaschema: String?
    }

    let root: JSONValue
    /// The URI the document was registered or retrieved under; `""` when anonymous.
    let uri: String
    let resources: [Resource]
    /// Resource index by the pointer text of its root.
    let resourceAtPointer: [String: Int]

    /// Schema keywords whose value is one subschema.
    static let singleSubschemaKeywords: Set<String> = [
        "additionalProperties", "contains", "contentSchema", "else", "if", "items", "not", "propertyNames",
        "then", "unevaluatedItems", "unevaluatedProperties",
    ]
    /// Schema keywords whose value is an array of subschemas.
    static let subschemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    /// Schema keywords whose value is an object of subschemas. `definitions` and `dependencies` are not
    /// 2020-12 keywords, but its metaschema still describes them as holding schemas.
    static let subschemaMapKeywords: Set<String> = [
        "$defs", "definitions", "dependentSchemas", "dependencies", "patternProperties", "properties",
    ]

    init(root: JSONValue, uri: String) {
        self.root = root
        self.uri = uri
        // The root is a resource even when it is a boolean schema.
        var resources = [
            Resource(
                uri: uri, pointer: [], anchors: [:], dynamicAnchors: [:],
                metaschema: root["$schema"]?.stringValue.map { resolveURI($0, against: uri) })
        ]
        var resourceAtPointer: [String: Int] = ["": 0]
        // An explicit stack: documents may nest as deep as the parser allows.
        var pending: [(value: JSONValue, pointer: [String], base: String, resource: Int)] = [
            (root, [], uri, 0)
        ]
        while let (value, pointer, inheritedBase, parentResource) = pending.popLast() {
            guard case .object(let object) = value else { continue }
            var base = inheritedBase
            var resource = parentResource
            let id = object["$id"]?.stringValue
            if let id {
                base = splitFragment(resolveURI(id, against: base)).base
                let declared = object["$schema"]?.stringValue.map { resolveURI($0, against: base) }
                let metaschema = declared ?? resources[parentResource].metaschema
                if pointer.isEmpty {
                    resources[0] = Resource(
                        uri: base, pointer: [], anchors: [:], dynamicAnchors: [:], metaschema: metaschema)
                } else {
                    resource = resources.count
                    resourceAtPointer[pointerText(pointer)] = resource
                    resources.append(
                        Resource(
                            uri: base, pointer: pointer, anchors: [:], dynamicAnchors: [:],
                            metaschema: metaschema))
                }
            }
            if let anchor = object["$anchor"]?.stringValue, resources[resource].anchors[anchor] == nil {
                resources[resource].anchors[anchor] = pointer
            }
            if let anchor = object["$dynamicAnchor"]?.stringValue {
                if resources[resource].dynamicAnchors[anchor] == nil {
                    resources[resource].dynamicAnchors[anchor] = pointer
                }
                if resources[resource].anchors[anchor] == nil {
                    resources[resource].anchors[anchor] = pointer
                }
            }
            for (key, member) in object.reversed() {
                if Self.singleSubschemaKeywords.contains(key) {
                    pending.append((member, pointer + [key], base, resource))
                } else if Self.subschemaArrayKeywords.contains(key), case .array(let elements) = member {
                    for (index, element) in elements.enumerated().reversed() {
                        pending.append((element, pointer + [key, String(index)], base, resource))
                    }
                } else if Self.subschemaMapKeywords.contains(key), case .object(let members) = member {
                    for (name, subschema) in members.reversed() {
                        pending.append((subschema, pointer + [key, name], base, resource))
                    }
                }
            }
        }
        self.resources = resources
        self.resourceAtPointer = resourceAtPointer
    }

    /// The resource that contains the place `pointer`: the one whose root is its longest prefix.
    func resource(containing pointer: [String]) -> Int {
        var found = 0
        var text = ""
        if let index = resourceAtPointer[text] { found = index }
        for token in pointer {
            text += "/" + escapedToken(token)
            if let index = resourceAtPointer[text] { found = index }
        }
        return found
    }

    /// The value at `pointer` from the document root.
    func value(at pointer: [String]) -> JSONValue? {
        root[JSONPointer(tokens: pointer)]
    }
}
