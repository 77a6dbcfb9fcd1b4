import { STATUSES } from "../api/types";
import type { IncidentFilters } from "../api/client";
import { navigate } from "../router";

export const FILTER_KEYS = ["status", "camera", "rule", "zone", "since", "until"] as const;

export function filtersOf(query: URLSearchParams): IncidentFilters {
  return Object.fromEntries(
    FILTER_KEYS.map((k) => [k, query.get(k) ?? undefined]).filter(([, v]) => v),
  ) as IncidentFilters;
}

/** Changes one filter in the URL (so the view survives a reload and can be shared). */
export function setFilter(query: URLSearchParams, key: (typeof FILTER_KEYS)[number], value: string): void {
  const next = new URLSearchParams(query);
  if (value) next.set(key, value);
  else next.delete(key);
  const qs = next.toString();
  navigate(`/incidents${qs ? `?${qs}` : ""}`, { replace: true });
}

export function QueueFilters({ query }: { query: URLSearchParams }) {
  const f = filtersOf(query);
  const text = (key: "camera" | "rule" | "zone", label: string) => (
    <label>
      {label}
      <input name={key} value={f[key] ?? ""} onChange={(e) => setFilter(query, key, e.currentTarget.value.trim())} />
    </label>
  );
  return (
    <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Status
        <select
          name="status"
          value={f.status ?? ""}
          onChange={(e) => setFilter(query, "status", e.currentTarget.value)}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </label>
      {text("camera", "Camera")}
      {text("rule", "Rule")}
      {text("zone", "Zone")}
      <label>
        From
        <input
          name="since"
          type="datetime-local"
          value={f.since ?? ""}
          onChange={(e) => setFilter(query, "since", e.currentTarget.value)}
        />
      </label>
      <label>
        To
        <input
          name="until"
          type="datetime-local"
          value={f.until ?? ""}
          onChange={(e) => setFilter(query, "until", e.currentTarget.value)}
        />
      </label>
      <button type="button" onClick={() => navigate("/incidents", { replace: true })}>
        Clear filters
      </button>
    </form>
  );
}
