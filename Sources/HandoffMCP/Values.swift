import Foundation
import HandoffJSON
import MCP

extension JSONValue {
    /// A value the SDK decoded, as Handoff reads JSON. The SDK turns strings that look like data URLs into
    /// data; they are turned back into the SDK's own data-URL form.
    init(_ value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let elements): self = .array(elements.map(JSONValue.init))
        case .object(let members):
            self = .object(JSONObject(members.lazy.map { (key: $0.key, value: JSONValue($0.value)) }))
        }
    }
}

extension MCP.Value {
    /// A Handoff JSON value as the SDK sends it: whole numbers that fit an `Int` as integers.
    init(json value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.007_199_254_740_992e15 {
                self = .int(Int(number))
            } else {
                self = .double(number)
            }
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map { MCP.Value(json: $0) })
        case .object(let object):
            var members: [String: MCP.Value] = [:]
            for (key, member) in object { members[key] = MCP.Value(json: member) }
            self = .object(members)
        }
    }
}
