import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type IncidentFilters } from "../api/client";
import { followEvents } from "../api/events";
import type { Incident, KpiSummary, Settings } from "../api/types";
import { byAttention } from "../attention";

const COUNTS_EVERY_MS = 5000;

function matches(i: Incident, f: IncidentFilters): boolean {
  const started = Date.parse(i.started_at);
  return (
    (!f.status || i.status === f.status) &&
    (!f.camera || i.camera_id === f.camera) &&
    (!f.rule || i.rule === f.rule) &&
    (!f.zone || i.zone === f.zone) &&
    (!f.since || started >= Date.parse(f.since)) &&
    (!f.until || started <= Date.parse(f.until))
  );
}

export interface QueueData {
  readonly incidents: readonly Incident[];
  readonly loading: boolean;
  readonly complete: boolean;
  readonly counts: KpiSummary["by_status"] | undefined;
  readonly settings: Settings | undefined;
  readonly live: boolean;
  readonly lastChange: string | undefined;
  readonly error: string | undefined;
  put(i: Incident): void;
}

/**
 * The queue's incidents: every page of the filtered list (cursor paging, the first page shown at
 * once, the rest loaded behind it), kept current by the live event stream, in attention order.
 */
export function useQueueData(filters: IncidentFilters): QueueData {
  const [byId, setById] = useState(() => new Map<string, Incident>());
  const [loading, setLoading] = useState(true);
  const [complete, setComplete] = useState(false);
  const [counts, setCounts] = useState<KpiSummary["by_status"]>();
  const [settings, setSettings] = useState<Settings>();
  const [live, setLive] = useState(false);
  const [lastChange, setLastChange] = useState<string>();
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(filters);
  const countsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const countsPending = useRef(false);

  const put = (i: Incident): void =>
    setById((prev) => {
      const old = prev.get(i.id);
      if (old && old.version >= i.version) return prev;
      const next = new Map(prev);
      if (matches(i, filters)) next.set(i.id, i);
      else next.delete(i.id);
      return next;
    });
  // The counts cost the daemon a pass over every stored incident: at most one refresh per
  // COUNTS_EVERY_MS however fast changes arrive (five consoles and a busy site add up).
  const loadCounts = (): void => {
    if (countsTimer.current !== undefined) return;
    countsTimer.current = setTimeout(
      () => {
        countsTimer.current = undefined;
        void api.summary("all").then(
          (s) => setCounts(s.by_status),
          () => {},
        );
      },
      countsPending.current ? COUNTS_EVERY_MS : 0,
    );
    countsPending.current = true;
  };

  useEffect(() => {
    void api.settings().then(setSettings, () => {});
  }, []);

  useEffect(() => {
    let cancelled = false;
    setById(new Map());
    setLoading(true);
    setComplete(false);
    setError(undefined);
    loadCounts();
    void (async () => {
      let cursor: string | undefined;
      let first = true;
      do {
        const page = await api.incidents(filters, cursor, first ? 200 : 500);
        if (cancelled) return;
        setById((prev) => {
          const next = new Map(prev);
          for (const i of page.incidents) if ((next.get(i.id)?.version ?? 0) < i.version) next.set(i.id, i);
          return next;
        });
        if (first) {
          setLoading(false);
          first = false;
          requestAnimationFrame(() => performance.mark("vigil:queue-interactive"));
        }
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      setComplete(true);
      requestAnimationFrame(() => performance.mark("vigil:queue-complete"));
    })().catch((err: unknown) => {
      if (!cancelled) setError(String(err));
    });
    return () => {
      cancelled = true;
    };
  }, [key, generation]);

  useEffect(
    () =>
      followEvents((e) => {
        if (e.type === "reset") {
          setGeneration((g) => g + 1);
          return;
        }
        if (e.type === "approval.requested") return;
        put(e.incident);
        setLastChange(`${e.type === "incident.created" ? "New incident" : "Incident updated"}: ${e.incident.summary}`);
        loadCounts();
      }, setLive),
    [key],
  );

  const incidents = useMemo(() => [...byId.values()].sort(byAttention), [byId]);
  return { incidents, loading, complete, counts, settings, live, lastChange, error, put };
}
