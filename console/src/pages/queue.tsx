import { useEffect, useState } from "preact/hooks";
import type { DismissReason } from "../../../src/contract/incident";
import { allowedActions } from "../../../src/incidents/lifecycle";
import { api } from "../api/client";
import { describeError } from "../api/errors";
import { STATUSES, type Incident } from "../api/types";
import { formatDuration, isUndecided, waitingS } from "../attention";
import { DismissDialog } from "../components/dismiss-dialog";
import { VirtualList } from "../components/virtual-list";
import { navigate } from "../router";
import { can, useSession } from "../use-session";
import { useQueueData } from "./queue-data";
import { filtersOf, QueueFilters, setFilter } from "./queue-filters";

const ROW = 56;

export function QueuePage({ query }: { query: URLSearchParams }) {
  const session = useSession();
  const data = useQueueData(filtersOf(query));
  const [selected, setSelected] = useState(0);
  const [dismissing, setDismissing] = useState(false);
  const [message, setMessage] = useState<string>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const sla = data.settings?.decision_sla_s ?? 300;
  const operator = can(session, "operator");
  const current: Incident | undefined = data.incidents[Math.min(selected, data.incidents.length - 1)];

  const decide = async (
    action: "monitor" | "escalate" | "dismiss",
    reason?: DismissReason,
    note?: string,
  ): Promise<void> => {
    if (!current) return;
    try {
      const next = await api.decide(current.id, {
        action,
        version: current.version,
        ...(reason ? { dismiss_reason: reason } : {}),
        ...(note ? { note } : {}),
      });
      data.put(next);
      setMessage(
        `${action === "dismiss" ? "Dismissed" : action === "monitor" ? "Monitoring" : "Escalated"}: ${next.summary}`,
      );
    } catch (err) {
      setMessage(describeError(err));
    }
  };
  const allowed = current ? allowedActions(current.status) : [];
  const onKey = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key;
    if (k === "j" || k === "ArrowDown") setSelected((s) => Math.min(s + 1, data.incidents.length - 1));
    else if (k === "k" || k === "ArrowUp") setSelected((s) => Math.max(s - 1, 0));
    else if ((k === "Enter" || k === "o") && current) navigate(`/incidents/${current.id}`);
    else if (operator && k === "d" && allowed.includes("dismiss")) setDismissing(true);
    else if (operator && k === "m" && allowed.includes("monitor")) void decide("monitor");
    else if (operator && k === "e" && allowed.includes("escalate")) void decide("escalate");
    else return;
    e.preventDefault();
  };

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Incident queue</h1>
      <nav class="counts" aria-label="Counts per status">
        {STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={query.get("status") === s}
            onClick={() => setFilter(query, "status", query.get("status") === s ? "" : s)}
          >
            {s.replaceAll("_", " ")} <strong>{data.counts?.[s] ?? 0}</strong>
          </button>
        ))}
      </nav>
      <QueueFilters query={query} />
      <p class="status-line" role="status" aria-live="polite">
        {data.loading
          ? "Loading incidents…"
          : `${data.incidents.length} incidents${data.complete ? "" : " (loading more…)"}`}{" "}
        · {data.live ? "live" : "reconnecting…"}
        {data.lastChange ? ` · ${data.lastChange}` : ""}
      </p>
      {message && (
        <p role="alert" class="notice">
          {message}
        </p>
      )}
      {data.error && (
        <p role="alert" class="error">
          {data.error}
        </p>
      )}
      <div class="shortcuts" aria-label="Keyboard shortcuts">
        <kbd>j</kbd>/<kbd>↓</kbd> next · <kbd>k</kbd>/<kbd>↑</kbd> previous · <kbd>Enter</kbd> open
        {operator && (
          <>
            {" "}
            · <kbd>d</kbd> dismiss · <kbd>m</kbd> monitor · <kbd>e</kbd> escalate
          </>
        )}
      </div>
      {operator && current && (
        <div class="triage" role="toolbar" aria-label="Triage the selected incident">
          <button
            type="button"
            disabled={!allowed.includes("dismiss")}
            onClick={() => setDismissing(true)}
            aria-keyshortcuts="d"
          >
            Dismiss… (d)
          </button>
          <button
            type="button"
            disabled={!allowed.includes("monitor")}
            onClick={() => void decide("monitor")}
            aria-keyshortcuts="m"
          >
            Monitor (m)
          </button>
          <button
            type="button"
            disabled={!allowed.includes("escalate")}
            onClick={() => void decide("escalate")}
            aria-keyshortcuts="e"
          >
            Escalate (e)
          </button>
        </div>
      )}
      <VirtualList
        items={data.incidents}
        rowHeight={ROW}
        height={Math.max(240, Math.min(ROW * 12, window.innerHeight - 360))}
        selected={selected}
        label="Incidents, most urgent first"
        keyOf={(i) => i.id}
        onKeyDown={onKey}
        onSelect={setSelected}
        row={(i) => {
          const waited = waitingS(i, now);
          const breach = isUndecided(i) && waited > sla;
          return (
            // Not a link: an option holds no interactive control of its own (the listbox has the
            // focus; Enter or o opens the selected row, a click opens the one clicked).
            <div class="open-row" onClick={() => navigate(`/incidents/${i.id}`)}>
              <span class={`status s-${i.status}`}>{i.status.replaceAll("_", " ")}</span>
              <span class="summary">{i.summary}</span>
              <span class="meta">
                {i.camera_id} · {i.rule}
                {i.zone ? ` · ${i.zone}` : ""} · {Math.round(i.confidence * 100)}%
              </span>
              <span class={breach ? "wait breach" : "wait"} title={`decision SLA ${formatDuration(sla)}`}>
                {isUndecided(i) ? `waiting ${formatDuration(waited)}` : `decided after ${formatDuration(waited)}`}
                {breach ? " · SLA breached" : ""}
              </span>
            </div>
          );
        }}
      />
      <DismissDialog
        open={dismissing}
        onClose={() => setDismissing(false)}
        onDismiss={(reason, note) => {
          setDismissing(false);
          void decide("dismiss", reason, note);
        }}
      />
    </section>
  );
}
