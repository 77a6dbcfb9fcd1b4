// A child of incident-store.bench.ts: opens a store directory the way the daemon's HTTP side does
// (real store, auth, incident service with its indexes and KPI day rollups, the operator API),
// times requests through the HTTP stack (fastify inject, with auth) and reports its RSS. Run once
// on an empty store and once on the big one, so the RSS difference is what the store costs.
// `node dist/bench/incident-store-probe.js DIR` prints one JSON line.
import type { IncidentPage } from "../src/incidents/incident-index.js";
import { addUser, bearer, loginOk } from "../test/helpers/auth-client.js";
import { openAuthStack } from "../test/helpers/auth-stack.js";
import { median, percentile } from "./stats.js";

const dir = process.argv[2] ?? "";
const t0 = process.hrtime.bigint();
const stack = await openAuthStack(dir, {
  rollups: true,
  config: {
    auth: {
      argon2: { memory_kib: 19_456, time_cost: 2 },
      rate_limit: { per_ip_per_minute: 1_000_000, per_user_per_minute: 1_000_000 },
    },
  },
});
await stack.incidents.index.ready();
const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
try {
  // The expensive routes' own per-user limit (12 a minute for the KPIs) holds: one viewer per few calls.
  const tokens: string[] = [];
  for (let u = 0; u < 12; u++) {
    await addUser(stack.auth, `viewer${u}`, "viewer");
    tokens.push((await loginOk(stack.app, `viewer${u}`)).access_token);
  }
  let call = 0;
  const get = async (url: string): Promise<{ ms: number; body: string }> => {
    const headers = bearer(tokens[Math.floor(call++ / 10) % tokens.length] ?? "");
    const t = process.hrtime.bigint();
    const r = await stack.app.inject({ method: "GET", url, headers });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    return { ms, body: r.body };
  };
  const runs = async (n: number, url: () => string) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get(url())).ms);
    return { p50: median(out), p90: percentile(out, 90), n };
  };
  await runs(5, () => "/v1/auth/me");
  const first = JSON.parse((await get("/v1/incidents?limit=50")).body) as IncidentPage;
  const ids = first.incidents.map((i) => i.id);
  const figures = {
    auth_me: await runs(60, () => "/v1/auth/me"),
    first_page: await runs(30, () => "/v1/incidents?limit=50"),
    filtered_page: await runs(30, () => "/v1/incidents?camera=cam-3&status=open&limit=50"),
    one_incident: ids.length === 0 ? null : await runs(60, () => `/v1/incidents/${ids[call % ids.length] ?? ""}`),
    summary_7d: await runs(30, () => "/v1/metrics/summary?range=7d"),
    summary_30d: await runs(30, () => "/v1/metrics/summary?range=30d"),
    summary_all: await runs(30, () => "/v1/metrics/summary?range=all"),
    weekly_12: await runs(20, () => "/v1/metrics/weekly?weeks=12"),
  };
  const total = (JSON.parse((await get("/v1/metrics/summary?range=all")).body) as { total: number }).total;
  console.log(
    JSON.stringify({
      incidents: total,
      open_ms: openMs,
      rss_mib: process.memoryUsage().rss / 2 ** 20,
      heap_mib: process.memoryUsage().heapUsed / 2 ** 20,
      ...figures,
    }),
  );
} finally {
  await stack.close();
}
