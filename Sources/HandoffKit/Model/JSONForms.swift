import HandoffJSON
import HandoffSchema

/// The JSON shapes of the store's records, as `--json` prints them and the MCP server returns them. They are
/// part of the stable contract: keys are only ever added.
extension ArtifactInfo {
    /// Its stable JSON form.
    public var json: JSONValue {
        [
            "id": .string(id.description), "schema": .string(schema), "size": .number(Double(size)),
            "created_at": .string(createdAt.description), "producer": .string(producer),
            "workflow": optional(workflow), "workspace": optional(workspace), "validated": .bool(validated),
        ]
    }
}

extension Handoff {
    /// Its stable JSON form.
    public var json: JSONValue {
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
    /// Its stable JSON form.
    public var json: JSONValue {
        ["action": .string(action), "source": .string(source), "inferred": .bool(inferred)]
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

extension Chain {
    /// Its stable JSON form: the focus, every node with its handoffs, and the edges.
    public var json: JSONValue {
        [
            "focus": .string(focus.description), "cut_at_depth": .bool(truncated),
            "nodes": .array(
                nodes.map { node in
                    [
                        "artifact": node.artifact.json, "generation": .number(Double(node.generation)),
                        "handoffs": .array(node.handoffs.map(\.json)),
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
