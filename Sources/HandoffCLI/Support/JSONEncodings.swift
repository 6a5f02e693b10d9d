import HandoffJSON
import HandoffKit

/// The `--json` shapes of the store's records. They are part of the stable command-line contract: keys are
/// only ever added.
extension ArtifactInfo {
    var json: JSONValue {
        [
            "id": .string(id.description), "schema": .string(schema), "size": .number(Double(size)),
            "created_at": .string(createdAt.description), "producer": .string(producer),
            "workflow": optional(workflow), "workspace": optional(workspace), "validated": .bool(validated),
        ]
    }
}

extension Handoff {
    var json: JSONValue {
        [
            "id": .string(id), "artifact": .string(artifactID.description), "schema": .string(schema),
            "producer": .string(producer), "consumer": .string(consumer), "workflow": optional(workflow),
            "workspace": optional(workspace), "state": .string(state.rawValue),
            "attempts": .number(Double(attempts)),
            "created_at": .string(createdAt.description), "updated_at": .string(updatedAt.description),
            "available_at": .string(availableAt.description), "lease_expires_at": optional(leaseExpiresAt),
            "worker": optional(worker), "note": optional(note), "routed_from": optional(routedFrom),
        ]
    }
}

extension NextAction {
    var json: JSONValue {
        ["action": .string(action), "source": .string(source), "inferred": .bool(inferred)]
    }
}

extension HandoffEvent {
    var json: JSONValue {
        [
            "kind": .string(kind), "at": .string(at.description), "worker": optional(worker),
            "attempt": attempt.map { .number(Double($0)) } ?? .null,
            "lease_expires_at": optional(leaseExpiresAt),
            "note": optional(note),
        ]
    }
}

extension Claim {
    func json(document: JSONValue, nextActions: [NextAction]) -> JSONValue {
        [
            "handoff": handoff.json, "receipt": .string(receipt.description), "document": document,
            "next_actions": .array(nextActions.map(\.json)),
        ]
    }
}

extension HandoffError {
    var json: JSONValue {
        ["code": .string(code.rawValue), "message": .string(message), "hint": optional(hint)]
    }
}

private func optional(_ value: (some CustomStringConvertible)?) -> JSONValue {
    value.map { .string($0.description) } ?? .null
}
