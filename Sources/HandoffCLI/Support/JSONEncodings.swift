import HandoffJSON
import HandoffKit

/// The `--json` shapes of the store's records. They are part of the stable command-line contract: keys are
/// only ever added.
extension ArtifactInfo {
    var json: JSONValue {
        [
            "id": .string(id.description), "schema": .string(schema), "size": .number(Double(size)),
            "created_at": .string(createdAt.description), "producer": .string(producer),
            "workflow": workflow.map(JSONValue.string) ?? .null,
            "workspace": workspace.map(JSONValue.string) ?? .null,
        ]
    }
}

extension Handoff {
    var json: JSONValue {
        [
            "id": .string(id), "artifact": .string(artifactID.description), "schema": .string(schema),
            "producer": .string(producer), "consumer": .string(consumer),
            "workflow": workflow.map(JSONValue.string) ?? .null,
            "workspace": workspace.map(JSONValue.string) ?? .null,
            "state": .string(state.rawValue), "attempts": .number(Double(attempts)),
            "created_at": .string(createdAt.description), "updated_at": .string(updatedAt.description),
            "available_at": .string(availableAt.description),
            "lease_expires_at": leaseExpiresAt.map { .string($0.description) } ?? .null,
            "worker": worker.map(JSONValue.string) ?? .null, "note": note.map(JSONValue.string) ?? .null,
        ]
    }
}

extension HandoffError {
    var json: JSONValue {
        [
            "code": .string(code.rawValue), "message": .string(message),
            "hint": hint.map(JSONValue.string) ?? .null,
        ]
    }
}
