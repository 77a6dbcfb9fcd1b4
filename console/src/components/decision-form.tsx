import { useState } from "preact/hooks";
import type { DismissReason } from "../../../src/contract/incident";
import { allowedActions, type DecisionAction } from "../../../src/incidents/lifecycle";
import { api } from "../api/client";
import { ApiError, describeError } from "../api/errors";
import type { Incident } from "../api/types";
import { NoteField, ReasonField } from "./dismiss-fields";

const ACTION_LABELS: Record<DecisionAction, string> = {
  monitor: "Monitor",
  dismiss: "Dismiss",
  escalate: "Escalate",
  request_dispatch: "Request dispatch",
  close: "Close",
};

/**
 * The operator's decision. It sends the version it was shown; when someone decided first the
 * daemon answers 409 and the form says who, and offers to reload.
 */
export function DecisionForm({
  incident,
  onDecided,
  onReload,
}: {
  incident: Incident;
  onDecided: (i: Incident) => void;
  onReload: () => void;
}) {
  const actions = allowedActions(incident.status).filter((a): a is DecisionAction => a !== "approve");
  const [action, setAction] = useState<DecisionAction | "">("");
  const [reason, setReason] = useState<DismissReason | "">("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const [conflict, setConflict] = useState<string>();
  if (actions.length === 0)
    return <p>No decision is possible: the incident is {incident.status.replaceAll("_", " ")}.</p>;
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    if (!action) return setError("Choose a decision.");
    if (action === "dismiss" && !reason) return setError("A dismiss reason is required.");
    try {
      onDecided(
        await api.decide(incident.id, {
          action,
          version: incident.version,
          ...(action === "dismiss" && reason ? { dismiss_reason: reason } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      );
      setAction("");
      setReason("");
      setNote("");
    } catch (err) {
      if (err instanceof ApiError && err.code === "VIGIL_E_CONFLICT") {
        const now = await api.incident(incident.id).catch(() => undefined);
        const last = now?.history.at(-1);
        setConflict(
          now && last
            ? `${last.actor} changed this incident (${last.action.replaceAll("_", " ")}, now ${now.status.replaceAll("_", " ")}) at ${new Date(last.at).toLocaleTimeString()}.`
            : "Someone changed this incident first.",
        );
      } else setError(describeError(err));
    }
  };
  return (
    <form class="decision" aria-label="Decision" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>Decision</legend>
        {actions.map((a) => (
          <label key={a} class="radio">
            <input type="radio" name="action" value={a} checked={action === a} onChange={() => setAction(a)} />
            {ACTION_LABELS[a]}
          </label>
        ))}
      </fieldset>
      {action === "dismiss" && <ReasonField reason={reason} onChange={setReason} />}
      <NoteField note={note} onChange={setNote} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {conflict && (
        <div role="alert" class="conflict">
          <p>{conflict}</p>
          <button
            type="button"
            onClick={() => {
              setConflict(undefined);
              onReload();
            }}
          >
            Reload incident
          </button>
        </div>
      )}
      <button type="submit">Submit decision</button>
    </form>
  );
}
