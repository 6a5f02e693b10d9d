import HandoffJSON
import HandoffSchema

/// The JSON shapes of the store's records, as `--json` prints them and the MCP server returns them. They are
/// part of the stable contract: keys are only ever added.
// The shapes listings print once per row are built with their keys already in canonical order, rather
// than inserted one by one; `JSONFormTests` checks each order against the sorted one.

extension ArtifactInfo {
    static let jsonKeys = [
        "created_at", "id", "producer", "schema", "size", "validated", "workflow", "workspace",
    ]

    /// Its stable JSON form.
    public var json: JSONValue {
        .object(
            JSONObject(
                sortedUniqueKeys: Self.jsonKeys,
                values: [
                    .string(createdAt.description), .string(id.description), .string(producer),
                    .string(schema), .number(Double(size)), .bool(validated), optional(workflow),
                    optional(workspace),
                ]))
    }
}

extension Handoff {
    static let jsonKeys = [
        "artifact", "attempts", "available_at", "consumer", "created_at", "id", "lease_expires_at", "note",
        "producer", "routed_from", "schema", "state", "updated_at", "worker", "workflow", "workspace",
    ]

    /// Its stable JSON form.
    public var json: JSONValue {
        .object(
            JSONObject(
                sortedUniqueKeys: Self.jsonKeys,
                values: [
                    .string(artifactID.description), .number(Double(attempts)),
                    .string(availableAt.description),
                    .string(consumer), .string(createdAt.description), .string(id), optional(leaseExpiresAt),
                    optional(note), .string(producer), optional(routedFrom), .string(schema),
                    .string(state.rawValue), .string(updatedAt.description), optional(worker),
                    optional(workflow),
                    optional(workspace),
                ]))
    }

    /// It as an element of a list of handoffs (`ls --handoffs`, `show`, `chain`, a session's handoffs): every
    /// list keeps a handoff under `"handoff"`, with what belongs to that element beside it (`next_actions` in
    /// an inbox, `created` from put).
    public var listed: JSONValue { ["handoff": json] }

    /// It with its artifact's next actions, as inbox listings show each handoff.
    public func json(nextActions: [NextAction]) -> JSONValue {
        ["handoff": json, "next_actions": .array(nextActions.map(\.json))]
    }
}

extension NextAction {
    static let jsonKeys = ["action", "inferred", "source"]

    /// Its stable JSON form.
    public var json: JSONValue {
        .object(
            JSONObject(
                sortedUniqueKeys: Self.jsonKeys, values: [.string(action), .bool(inferred), .string(source)]))
    }
}

extension HandoffEvent {
    /// Its stable JSON form.
    public var json: JSONValue {
        [
            "kind": .string(kind), "at": .string(at.description), "worker": optional(worker),
            "attempt": attempt.map { .number(Double($0)) } ?? .null,
            "lease_expires_at": optional(leaseExpiresAt),
            "note": optional(note),
        ]
    }
}

extension Claim {
    /// Its stable JSON form, with the artifact's document and next actions.
    public func json(document: JSONValue, nextActions: [NextAction]) -> JSONValue {
        [
            "handoff": handoff.json, "receipt": .string(receipt.description), "document": document,
            "next_actions": .array(nextActions.map(\.json)),
        ]
    }
}

extension HandoffError {
    /// Its stable JSON form.
    public var json: JSONValue {
        [
            "code": .string(code.rawValue), "message": .string(message), "hint": optional(hint),
            "details": .array(details.map(JSONValue.string)),
        ]
    }
}

private func optional(_ value: (some CustomStringConvertible)?) -> JSONValue {
    value.map { .string($0.description) } ?? .null
}

extension WorkSessionInfo {
    public var json: JSONValue {
        let start = start
        return [
            "id": .string(id), "workspace": .string(start.workspace),
            "workspace_type": .string(start.workspaceType.rawValue), "query": .string(start.query),
            "bot": .string(start.bot), "participants": .array(start.participants.map(JSONValue.string)),
            "coordinator": optional(start.coordinator), "workflow": optional(start.workflow),
            "started_at": .string(startedAt.description), "ended_at": optional(endedAt),
            "last_entry_at": optional(lastEntryAt), "state": .string(isEnded ? "ended" : "open"),
            "steps": .number(Double(steps)), "errors": .number(Double(errors)),
            "escalations": .number(Double(escalations)), "bots": .array(bots.map(JSONValue.string)),
            "final_output": optional(finalOutput), "summary": optional(summary),
            "record": optional(sessionArtifact), "work_log": optional(workLogArtifact),
            "stepwise": .bool(stepwise),
        ]
    }
}

extension Escalation {
    public var json: JSONValue {
        [
            "session": .string(session), "step": .number(Double(step)), "workspace": .string(workspace),
            "bot": .string(bot), "message": .string(message), "artifact": .string(artifact.description),
            "handoff": handoff.json,
        ]
    }
}

extension Insight {
    public var json: JSONValue {
        [
            "id": .string(id), "session": .string(session), "step": .number(Double(step)),
            "bot": .string(bot),
            "category": .string(category), "confidence": confidence.map(JSONValue.number) ?? .null,
            "content": .string(content), "workspace": .string(workspace),
            "workspace_type": .string(workspaceType.rawValue),
            "applies_to": .array(appliesTo.map(JSONValue.string)),
            "state": .string(state.rawValue), "learnt_at": .string(learntAt.description),
            "queued_at": .string(queuedAt.description), "decided_at": optional(decidedAt),
            "note": optional(note),
            "artifact": optional(artifact),
        ]
    }
}

extension NextAction {
    /// An artifact's next actions, as `next --json` prints them and the MCP tool `next_actions` returns them.
    public static func json(of artifact: ArtifactID, _ actions: [NextAction]) -> JSONValue {
        ["artifact": .string(artifact.description), "next_actions": .array(actions.map(\.json))]
    }
}

extension PutResult {
    /// Its stable JSON form, as `put --json` prints it and the MCP tool `put_artifact` returns it: the
    /// artifact, whether it existed, and each handoff with whether this put created it (false: the same
    /// delivery was already pending).
    public var json: JSONValue {
        let handoffs: [JSONValue] =
            self.handoffs.map { ["handoff": $0.json, "created": true] }
            + pendingDuplicates.map { ["handoff": $0.json, "created": false] }
        return ["artifact": artifact.json, "existed": .bool(existed), "handoffs": .array(handoffs)]
    }
}

extension Chain {
    /// Its stable JSON form: the focus, every node with its handoffs, and the edges.
    public var json: JSONValue {
        [
            "focus": .string(focus.description), "cut_at_depth": .bool(truncated),
            "nodes": .array(
                nodes.map { node in
                    [
                        "artifact": node.artifact.json, "generation": .number(Double(node.generation)),
                        "handoffs": .array(node.handoffs.map(\.listed)),
                    ]
                }),
            "edges": .array(
                edges.map {
                    ["parent": .string($0.parent.description), "child": .string($0.child.description)]
                }),
        ]
    }
}

extension SchemaInfo {
    /// Its stable JSON form.
    public var json: JSONValue {
        [
            "name": .string(name), "built_in": .bool(builtIn), "title": optional(title),
            "id": .string(id.description), "size": .number(Double(size)), "added_at": optional(addedAt),
        ]
    }
}

extension HandoffSchema.ValidationError {
    /// Its stable JSON form, in the "basic" output shape of JSON Schema.
    public var json: JSONValue {
        [
            "instanceLocation": .string(instanceLocation), "keywordLocation": .string(keywordLocation),
            "absoluteKeywordLocation": .string(absoluteKeywordLocation), "keyword": .string(keyword),
            "message": .string(message),
        ]
    }
}

extension ImportReport.Refusal {
    /// Its stable JSON form: `source` (a file, `FILE line N`, `work log "ID" step N`) and `message`.
    public var json: JSONValue { ["source": .string(source), "message": .string(message)] }
}
