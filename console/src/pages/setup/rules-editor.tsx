import type { Zone, ZoneRule } from "../../api/cameras";

const KINDS: Array<{ kind: ZoneRule["kind"]; text: string }> = [
  { kind: "restricted", text: "Restricted: anything of the labels in the zone" },
  { kind: "loitering", text: "Loitering: staying longer than the time" },
  { kind: "no_parking", text: "No parking: a vehicle stopped longer than the time" },
];
const STEPS = ["monitor", "notify", "dispatch"] as const;
const DEFAULT_SECONDS: Record<ZoneRule["kind"], number> = { restricted: 0, loitering: 30, no_parking: 60 };

/**
 * A camera's zone rules, each the config's `rules.zones` entry: kind, zone, labels, time in the
 * zone and next step. Empty fields keep the rule kind's defaults.
 */
export function RulesEditor(p: {
  cameraId: string;
  zones: Zone[];
  rules: ZoneRule[];
  onChange: (rules: ZoneRule[]) => void;
}) {
  const set = (i: number, patch: Partial<ZoneRule>): void =>
    p.onChange(p.rules.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  const unset = (i: number, key: "labels" | "min_seconds" | "next_step"): void =>
    p.onChange(
      p.rules.map((r, k) => {
        if (k !== i) return r;
        const { [key]: _drop, ...rest } = r;
        return rest;
      }),
    );
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Zone rules</h2>
      {p.rules.length === 0 && <p>No rules: nothing on this camera raises a zone incident.</p>}
      {p.rules.map((r, i) => (
        <fieldset key={i} class="rule">
          <legend>Rule {r.id || i + 1}</legend>
          <label>
            Rule id
            <input
              required
              pattern="[a-z0-9_\-]{1,64}"
              value={r.id}
              onInput={(e) => set(i, { id: e.currentTarget.value })}
            />
          </label>
          <label>
            Kind
            <select value={r.kind} onChange={(e) => set(i, { kind: e.currentTarget.value as ZoneRule["kind"] })}>
              {KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.text}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rule zone
            <select value={r.zone} onChange={(e) => set(i, { zone: e.currentTarget.value })}>
              {p.zones.map((z) => (
                <option key={z.id} value={z.id}>
                  {z.name ?? z.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Rule labels (comma separated)
            <input
              placeholder={r.kind === "no_parking" ? "car, truck, bus, motorcycle" : "person"}
              value={(r.labels ?? []).join(", ")}
              onChange={(e) => {
                const labels = e.currentTarget.value
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean);
                if (labels.length > 0) set(i, { labels });
                else unset(i, "labels");
              }}
            />
          </label>
          <label>
            Seconds in the zone
            <input
              type="number"
              min={0}
              max={86400}
              placeholder={String(DEFAULT_SECONDS[r.kind])}
              value={r.min_seconds ?? ""}
              onChange={(e) =>
                e.currentTarget.value === ""
                  ? unset(i, "min_seconds")
                  : set(i, { min_seconds: Number(e.currentTarget.value) })
              }
            />
          </label>
          <label>
            Next step
            <select
              value={r.next_step ?? ""}
              onChange={(e) =>
                e.currentTarget.value === ""
                  ? unset(i, "next_step")
                  : set(i, { next_step: e.currentTarget.value as (typeof STEPS)[number] })
              }
            >
              <option value="">default (notify)</option>
              {STEPS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label class="radio">
            <input type="checkbox" checked={r.enabled} onChange={(e) => set(i, { enabled: e.currentTarget.checked })} />
            Enabled
          </label>
          <button type="button" class="danger" onClick={() => p.onChange(p.rules.filter((_, k) => k !== i))}>
            Delete rule {r.id || i + 1}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        disabled={p.zones.length === 0}
        onClick={() =>
          p.onChange([
            ...p.rules,
            { id: "", kind: "restricted", camera: p.cameraId, zone: p.zones[0]?.id ?? "", enabled: true },
          ])
        }
      >
        Add rule
      </button>
      {p.zones.length === 0 && <span class="help"> Draw a zone first.</span>}
    </section>
  );
}
