// One soak sample of a running daemon: /proc for the process and its children, /metrics for the
// JS side. Used by scripts/soak.ts; not part of the daemon.
import { readdir, readFile } from "node:fs/promises";

export interface SoakSample {
  /** Seconds since the soak started. */
  readonly t: number;
  readonly rss_mib: number;
  /** smaps_rollup: anonymous memory (malloc arenas, JS heap, native buffers) and file-backed RSS. */
  readonly anon_mib: number;
  readonly file_mib: number;
  readonly heap_used_mib: number | null;
  readonly external_mib: number | null;
  readonly fds: number;
  readonly threads: number;
  readonly children: number;
  readonly children_rss_mib: number;
  /** prom-client's event-loop lag at scrape time, and its p99 since the last reset. */
  readonly lag_ms: number | null;
  readonly lag_p99_ms: number | null;
  /** With --clips: bytes in every camera's recording ring, and clips stored. */
  readonly ring_mib?: number | null;
  readonly clips?: number | null;
}

const MIB = 2 ** 20;
const round = (n: number): number => Math.round(n * 10) / 10;

/** `Key:   123 kB` lines (status, smaps_rollup) as bytes; other values as numbers. */
export function procFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

/** One value of a Prometheus text exposition (first series of that name). */
export function promValue(text: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "m").exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function rssOf(pid: number): Promise<number> {
  try {
    return procFields(await readFile(`/proc/${pid}/status`, "utf8")).get("VmRSS") ?? 0;
  } catch {
    return 0;
  }
}

export async function takeSample(pid: number, metricsUrl: string, t: number): Promise<SoakSample> {
  const status = procFields(await readFile(`/proc/${pid}/status`, "utf8"));
  const rollup = procFields(await readFile(`/proc/${pid}/smaps_rollup`, "utf8"));
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  const kids = await childrenOf(pid);
  const kidsRss = (await Promise.all(kids.map(rssOf))).reduce((a, b) => a + b, 0);
  let metrics = "";
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
    metrics = await res.text();
  } catch {
    // a missed scrape leaves the JS fields null
  }
  const mib = (name: string): number | null => {
    const v = promValue(metrics, name);
    return v === null ? null : round(v / MIB);
  };
  const ms = (name: string): number | null => {
    const v = promValue(metrics, name);
    return v === null ? null : round(v * 1000);
  };
  return {
    t,
    rss_mib: round((status.get("VmRSS") ?? 0) / MIB),
    anon_mib: round((rollup.get("Anonymous") ?? 0) / MIB),
    file_mib: round(((rollup.get("Rss") ?? 0) - (rollup.get("Anonymous") ?? 0)) / MIB),
    heap_used_mib: mib("nodejs_heap_size_used_bytes"),
    external_mib: mib("nodejs_external_memory_bytes"),
    fds,
    threads: status.get("Threads") ?? 0,
    children: kids.length,
    children_rss_mib: round(kidsRss / MIB),
    lag_ms: ms("nodejs_eventloop_lag_seconds"),
    lag_p99_ms: ms("nodejs_eventloop_lag_p99_seconds"),
  };
}
