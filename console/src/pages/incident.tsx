import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { describeError } from "../api/errors";
import { followEvents } from "../api/events";
import type { Incident } from "../api/types";
import { formatDuration, isUndecided, waitingS } from "../attention";
import { ConfirmDialog } from "../components/confirm-dialog";
import { DecisionForm } from "../components/decision-form";
import { ExportButton } from "../components/export-button";
import { History } from "../components/history";
import { ClipView } from "../components/clip-view";
import { SnapshotView, type Zone } from "../components/snapshot-view";
import { navigate } from "../router";
import { can, useSession } from "../use-session";

export function IncidentPage({ id }: { id: string }) {
  const session = useSession();
  const [incident, setIncident] = useState<Incident>();
  const [zone, setZone] = useState<Zone>();
  const [error, setError] = useState<string>();
  const [approving, setApproving] = useState(false);
  const [notice, setNotice] = useState<string>();
  const load = (): void => {
    api.incident(id).then(setIncident, (err: unknown) => setError(describeError(err)));
  };
  useEffect(load, [id]);
  useEffect(() => {
    if (!incident?.zone) return;
    api.camera(incident.camera_id).then(
      (c) => setZone(c.zones?.find((z) => z.id === incident.zone)),
      () => {},
    );
  }, [incident?.camera_id, incident?.zone]);
  // Another operator's change shows here too: the newer version replaces this one.
  useEffect(
    () =>
      followEvents((e) => {
        if (e.type !== "reset" && e.incident.id === id)
          setIncident((cur) => (!cur || cur.version < e.incident.version ? e.incident : cur));
      }),
    [id],
  );
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!incident) return <p role="status">Loading incident…</p>;

  const approve = async (): Promise<void> => {
    setApproving(false);
    try {
      setIncident(await api.approve(incident.id, { version: incident.version }));
      setNotice("Dispatch approved.");
    } catch (err) {
      setNotice(describeError(err));
    }
  };
  const mayApprove = can(session, "supervisor") && incident.status === "dispatch_pending_review";
  return (
    <article aria-labelledby="incident-title" class="incident">
      <p>
        <a
          href="/incidents"
          onClick={(e) => {
            e.preventDefault();
            navigate("/incidents");
          }}
        >
          ← Back to the queue
        </a>
      </p>
      <h1 id="incident-title">{incident.summary}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`status s-${incident.status}`}>{incident.status.replaceAll("_", " ")}</span>
          {incident.dismiss_reason ? ` (${incident.dismiss_reason.replaceAll("_", " ")})` : ""}
        </dd>
        <dt>Camera</dt>
        <dd>{incident.camera_id}</dd>
        <dt>Rule</dt>
        <dd>{incident.rule}</dd>
        <dt>Zone</dt>
        <dd>{incident.zone ?? "none"}</dd>
        <dt>Confidence</dt>
        <dd>{Math.round(incident.confidence * 100)}%</dd>
        <dt>Next step</dt>
        <dd>{incident.next_step}</dd>
        <dt>Started</dt>
        <dd>{new Date(incident.started_at).toLocaleString()}</dd>
        <dt>{isUndecided(incident) ? "Waiting" : "Decided after"}</dt>
        <dd>{formatDuration(waitingS(incident, Date.now()))}</dd>
        <dt>Version</dt>
        <dd>{incident.version}</dd>
      </dl>
      {incident.identity && (
        <p class="identity">
          Watchlist match: <strong>{incident.identity.name}</strong> (similarity{" "}
          {incident.identity.similarity.toFixed(2)})
        </p>
      )}
      <section aria-label="Snapshots" class="snapshots">
        {(incident.snapshots ?? []).length === 0 ? (
          <p>No snapshots.</p>
        ) : (
          incident.snapshots?.map((_s, n) => <SnapshotView key={n} incident={incident} n={n} zone={zone} />)
        )}
      </section>
      {(incident.clips ?? []).length > 0 && (
        <section aria-label="Clips" class="clips">
          {incident.clips?.map((_c, n) => (
            <ClipView key={n} incident={incident} n={n} />
          ))}
        </section>
      )}
      <section aria-labelledby="objects-title">
        <h2 id="objects-title">Objects</h2>
        {incident.objects.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Score</th>
                <th scope="col">Track</th>
              </tr>
            </thead>
            <tbody>
              {incident.objects.map((o, k) => (
                <tr key={k}>
                  <td>{o.label}</td>
                  <td>{o.score.toFixed(2)}</td>
                  <td>{o.track_id ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <History incident={incident} />
      </section>
      {notice && (
        <p role="alert" class="notice">
          {notice}
        </p>
      )}
      {can(session, "operator") && (
        <section aria-label="Actions" class="actions-panel">
          <DecisionForm incident={incident} onDecided={setIncident} onReload={load} />
          {mayApprove && (
            <button type="button" onClick={() => setApproving(true)}>
              Approve dispatch…
            </button>
          )}
          <ExportButton id={incident.id} />
        </section>
      )}
      <ConfirmDialog
        open={approving}
        title="Approve dispatch?"
        confirm="Approve dispatch"
        onConfirm={() => void approve()}
        onClose={() => setApproving(false)}
      >
        <p>This authorises dispatch for “{incident.summary}”. It is recorded in the audit trail with your name.</p>
      </ConfirmDialog>
    </article>
  );
}
