// The web console on a real daemon in Debian's Chromium: bundle sizes, time from navigation to an
// interactive queue with 10,000 incidents in the store, scrolling, the latency from an incident
// being written to it showing in an open console, and the daemon's CPU with 5 consoles open.
// `npm run build && node dist/bench/console.bench.js` (figures in docs/performance.md).
import { readdir, readFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { BUILT_CONSOLE_DIR } from "../src/http/console/console-routes.js";
import { launchChromium, openConsole, signIn } from "../test/helpers/browser.js";
import { startConsoleBox } from "../test/helpers/console-box.js";
import { seedIncidents } from "./console-seed.js";
import { fmt, median, percentile } from "./stats.js";

const INCIDENTS = Number(process.env.VIGIL_BENCH_INCIDENTS ?? 10_000);

async function bundleSizes(): Promise<void> {
  const html = await readFile(join(BUILT_CONSOLE_DIR, "index.html"), "utf8");
  const initial = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]));
  let first = 0;
  for (const file of (await readdir(join(BUILT_CONSOLE_DIR, "assets"))).sort()) {
    const bytes = await readFile(join(BUILT_CONSOLE_DIR, "assets", file));
    const gz = gzipSync(bytes).byteLength;
    if (initial.has(file)) first += gz;
    console.log(
      `bundle ${file}: ${fmt(bytes.byteLength / 1024, 1)} KB, gzip ${fmt(gz / 1024, 1)} KB${initial.has(file) ? " (first load)" : " (lazy)"}`,
    );
  }
  console.log(`bundle first load (JS+CSS, gzip): ${fmt(first / 1024, 1)} KB (budget 250 KB)`);
}

const marks = (page: Page): Promise<{ interactive: number; complete: number }> =>
  page.evaluate(`(async () => {
    const at = (n) => new Promise((r) => { const t = setInterval(() => { const e = performance.getEntriesByName(n)[0]; if (e) { clearInterval(t); r(e.startTime); } }, 20); });
    return { interactive: await at("vigil:queue-interactive"), complete: await at("vigil:queue-complete") };
  })()`);

/** Frame intervals while the list is scrolled from top to bottom in 120 steps (one per frame). */
const scrollFrames = (page: Page): Promise<number[]> =>
  page.evaluate(`(async () => {
    const list = document.querySelector('[role="listbox"]');
    const gaps = []; let last = performance.now();
    for (let i = 1; i <= 120; i++) {
      list.scrollTop = (list.scrollHeight - list.clientHeight) * i / 120;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now(); gaps.push(now - last); last = now;
    }
    return gaps;
  })()`);

function cpuTicks(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/stat`, "utf8").then((s) => {
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  });
}

async function daemonCpu(pid: number, seconds: number, during?: () => Promise<void>): Promise<number> {
  const t0 = await cpuTicks(pid);
  const started = Date.now();
  const work = during?.();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await work;
  const ticks = (await cpuTicks(pid)) - t0;
  return ticks / 100 / ((Date.now() - started) / 1000);
}

await bundleSizes();
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}`);
const seedStart = Date.now();
const box = await startConsoleBox({}, (dir) => seedIncidents(dir, INCIDENTS));
console.log(`seeded ${INCIDENTS} incidents and started the daemon in ${fmt((Date.now() - seedStart) / 1000, 1)} s`);
const browser = await launchChromium();
try {
  const { page, context } = await openConsole(browser, `${box.url}/incidents`);
  await signIn(page, box.users.operator);
  const tti: number[] = [];
  const done: number[] = [];
  for (let run = 0; run < 5; run++) {
    await page.goto(`${box.url}/incidents`);
    const m = await marks(page);
    tti.push(m.interactive);
    done.push(m.complete);
  }
  console.log(
    `queue interactive after navigation (${INCIDENTS} incidents; first page of 200 shown, sign-in resumed from the cookie): median ${fmt(median(tti), 0)} ms, max ${fmt(Math.max(...tti), 0)} ms (target 1500)`,
  );
  console.log(`all ${INCIDENTS} incidents loaded and ordered: median ${fmt(median(done), 0)} ms`);
  const gaps = await scrollFrames(page);
  console.log(
    `scroll top to bottom in 120 frames: frame interval median ${fmt(median(gaps), 1)} ms, p95 ${fmt(percentile(gaps, 95), 1)} ms, max ${fmt(Math.max(...gaps), 1)} ms`,
  );

  // Latency: the daemon's "incident stored" log time to the row appearing in the open page (a
  // tamper incident sorts near the top of the queue, which is where the list is scrolled back to).
  await page.evaluate(`document.querySelector('[role="listbox"]').scrollTop = 0`);
  const latencies: number[] = [];
  for (let i = 0; i < 10; i++) {
    await page.evaluate(
      `window.__seen = new Map(); new MutationObserver(() => { for (const el of document.querySelectorAll('[role="option"] .summary')) if (!window.__seen.has(el.textContent)) window.__seen.set(el.textContent, Date.now()); }).observe(document.body, { subtree: true, childList: true, characterData: true })`,
    );
    const incident = await box.raiseTamper((["gate", "yard", "dock"] as const)[i % 3]);
    const stored = box.daemon.logs.find(
      (l) => l.msg === "incident stored" && l.incident === incident.id && l.type === "incident.created",
    );
    await page
      .getByRole("option", { name: new RegExp(incident.summary.replace(/[()]/g, "\\$&")) })
      .first()
      .waitFor();
    const shown = await page.evaluate<number | undefined>(`window.__seen.get(${JSON.stringify(incident.summary)})`);
    const storedAt = typeof stored?.time === "string" ? Date.parse(stored.time) : Number.NaN;
    if (Number.isFinite(storedAt) && shown) latencies.push(shown - storedAt);
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(
    `incident written -> shown in an open console: median ${fmt(median(latencies), 0)} ms, max ${fmt(Math.max(...latencies), 0)} ms over ${latencies.length} (target 1000)`,
  );
  await context.close();

  const pid = box.daemon.child.pid ?? 0;
  const incidentPerSecond = async (): Promise<void> => {
    for (let i = 0; i < 18; i++) {
      await box.raiseTamper((["gate", "yard", "dock"] as const)[i % 3]);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  console.log(
    `daemon CPU, no console open, ~1 incident/s pushed: ${fmt((await daemonCpu(pid, 20, incidentPerSecond)) * 100, 1)}% of a core (the push, rule and store work alone)`,
  );

  // Five consoles open on the queue: the daemon's CPU while idle, and while an incident a second arrives.
  const consoles = [];
  for (let i = 0; i < 5; i++) {
    const c = await openConsole(browser, `${box.url}/incidents`);
    await signIn(c.page, box.users.viewer);
    await marks(c.page);
    consoles.push(c);
  }
  console.log(`daemon CPU, 5 consoles open, idle: ${fmt((await daemonCpu(pid, 20)) * 100, 1)}% of a core`);
  const busy = await daemonCpu(pid, 20, incidentPerSecond);
  console.log(
    `daemon CPU, 5 consoles open, ~1 incident/s pushed: ${fmt(busy * 100, 1)}% of a core (the same work plus 5 live streams and their count refreshes)`,
  );
  for (const c of consoles) await c.context.close();
} finally {
  await browser.close();
  await box.cleanup();
}
