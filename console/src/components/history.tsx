import type { Incident } from "../api/types";

/** The incident's lifecycle as a timeline: who, when, from what to what, why. */
export function History({ incident }: { incident: Incident }) {
  return (
    <ol class="timeline" aria-label="History">
      {incident.history.map((h, k) => (
        <li key={k}>
          <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time> <strong>{h.actor}</strong>{" "}
          {h.action.replaceAll("_", " ")}: {h.before ? `${h.before.replaceAll("_", " ")} → ` : ""}
          {h.after.replaceAll("_", " ")}
          {h.reason ? ` (reason: ${h.reason.replaceAll("_", " ")})` : ""}
          {h.note ? <q>{h.note}</q> : null}
        </li>
      ))}
    </ol>
  );
}
