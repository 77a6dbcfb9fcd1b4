/** The health document as a field tech reads it on a terminal. Pure: a document in, lines out. */
type Doc = Record<string, unknown>;

const COLOURS = {
  ok: "\x1b[32m",
  degraded: "\x1b[33m",
  failing: "\x1b[31m",
  dim: "\x1b[2m",
  reset: "\x1b[0m",
} as const;

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

const str = (v: unknown): string =>
  v === null || v === undefined
    ? "-"
    : typeof v === "number"
      ? String(Math.round(v * 100) / 100)
      : typeof v === "string"
        ? v
        : JSON.stringify(v);
const mib = (bytes: unknown): string => (typeof bytes === "number" ? `${Math.round(bytes / 1_048_576)} MiB` : "-");
const obj = (v: unknown): Doc => (v && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : {});
const arr = (v: unknown): Doc[] => (Array.isArray(v) ? (v as Doc[]) : []);

export function renderHealth(doc: Doc, colour: boolean): string {
  const paint = (c: keyof typeof COLOURS, text: string): string =>
    colour ? `${COLOURS[c]}${text}${COLOURS.reset}` : text;
  const status = str(doc.status);
  const out: string[] = [];
  out.push(
    `${paint(status === "ok" || status === "degraded" || status === "failing" ? status : "dim", status.toUpperCase())}  vigil ${str(doc.version)}, up ${str(doc.uptime_s)} s`,
  );
  for (const r of arr(doc.reasons)) out.push(`  - ${str(r)}`);

  const cameras = Object.entries(obj(doc.cameras));
  if (cameras.length > 0) {
    out.push("", "CAMERAS");
    out.push(
      ...table([
        ["ID", "STATE", "DECODED", "ANALYSED", "SKIPPED", "RESTARTS", "STALLS", "LAST FRAME"],
        ...cameras.map(([id, c]) => {
          const s = obj(c);
          return [
            id,
            str(s.state),
            str(s.frames_decoded),
            str(s.frames_analysed),
            str(s.frames_skipped),
            str(s.restarts),
            str(s.stalls),
            str(s.last_frame_at),
          ];
        }),
      ]).map((l) => `  ${l}`),
    );
  }

  const d = obj(doc.detector);
  out.push("", `DETECTOR  ${str(d.model)} on ${str(d.provider)}: ${str(d.runs)} runs, mean ${str(d.mean_ms)} ms`);

  const uplink = doc.uplink === null ? undefined : obj(doc.uplink);
  out.push(
    uplink
      ? `UPLINK    ${uplink.connected ? paint("ok", "connected") : paint("failing", "disconnected")} ${str(uplink.broker)}`
      : "UPLINK    none configured (outbox only)",
  );
  const outbox = obj(doc.outbox);
  const depth = obj(outbox.depth);
  const age = obj(outbox.oldest_age_s);
  out.push(
    `OUTBOX    ${mib(outbox.used_bytes)} of ${mib(outbox.max_bytes)}; ${Object.keys(depth)
      .map((k) => `${k} ${str(depth[k])}${age[k] !== null && age[k] !== undefined ? ` (oldest ${str(age[k])} s)` : ""}`)
      .join(", ")}`,
  );

  const sys = doc.system === null ? undefined : obj(doc.system);
  if (sys) {
    const cpu = obj(sys.cpu);
    const mem = obj(sys.memory);
    const disk = sys.disk === null ? undefined : obj(sys.disk);
    const t = obj(sys.temperatures);
    out.push(
      "",
      `CPU       ${str(cpu.load_percent)}% of ${str(cpu.cores)} cores, load ${arr(cpu.load_average).map(str).join(" ")}; temperature ${str(t.cpu_main_c)} C`,
    );
    out.push(
      `MEMORY    ${mib(mem.available_bytes)} free of ${mib(mem.total_bytes)}; vigil ${mib(mem.process_rss_bytes)}`,
    );
    if (disk)
      out.push(
        `DISK      ${str(disk.mount)}: ${mib(disk.free_bytes)} free (${str(disk.free_percent)}%); store ${mib(sys.store_bytes)}`,
      );
    const trend = doc.memory === null || doc.memory === undefined ? undefined : obj(doc.memory);
    if (trend)
      out.push(
        `RSS TREND ${trend.slope_mib_per_min === null ? "not yet known" : `${str(trend.slope_mib_per_min)} MiB/min over ${str(trend.span_s)} s`}; budget ${mib(trend.budget_bytes)}`,
      );
    for (const g of arr(sys.gpus))
      out.push(
        `GPU       ${str(g.model)}: ${str(g.utilization_percent)}%, ${str(g.memory_used_mb)}/${str(g.memory_total_mb)} MB, ${str(g.temperature_c)} C`,
      );
  }

  const certs = arr(doc.certificates).filter((c) => c.status !== "valid");
  if (certs.length > 0) {
    out.push("", "CERTIFICATES");
    for (const c of certs)
      out.push(
        `  ${paint(c.status === "expired" ? "failing" : "degraded", str(c.status))} ${str(c.name)} (${str(c.kind)}) ${str(c.not_after)}`,
      );
  }
  return out.join("\n");
}
