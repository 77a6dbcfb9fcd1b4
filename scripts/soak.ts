// The soak (issue 22), not run in CI: the built daemon with N RTSP cameras serving OpenCV's
// pedestrian clip (real people walking, looped), busy rules (restricted zones and loitering over
// the whole picture), mosquitto and a consumer; samples RSS, smaps_rollup, JS heap, external
// memory, fds, threads, children and event-loop lag every --interval seconds; renders a chart
// (PNG) and prints the growth.
//
//   npm run build && node dist/scripts/soak.js --cameras 2 --minutes 15 --out soak-out [--env MALLOC_ARENA_MAX=2]
//   clips (issue 20): node dist/scripts/soak.js --cameras 4 --minutes 60 --clips --out soak-clips
//   (adds the recording ring's size and the clips stored to every sample and a panel to the chart)
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "mqtt";
import { slopeMiBPerMin } from "../src/health/memory-trend.js";
import { startDaemon, provisionBox } from "../test/helpers/daemon.js";
import { freePort } from "../test/helpers/free-port.js";
import { pedestrianFrames } from "../test/helpers/ingest-rig.js";
import { startMosquitto } from "../test/helpers/mosquitto.js";
import { ROOT } from "../test/helpers/repo-root.js";
import { requireFixtures, startRtspServer } from "../test/helpers/rtsp-server.js";
import { renderChart } from "./soak-chart.js";
import { type SoakSample, takeSample } from "./soak-sample.js";

const { values: opts } = parseArgs({
  options: {
    cameras: { type: "string", default: "4" },
    minutes: { type: "string", default: "120" },
    interval: { type: "string", default: "10" },
    size: { type: "string", default: "1280x720" },
    out: { type: "string", default: "soak-out" },
    env: { type: "string", multiple: true, default: [] },
    clips: { type: "boolean", default: false },
  },
});
const cameras = Number(opts.cameras);
const minutes = Number(opts.minutes);
const intervalS = Number(opts.interval);
const [width, height] = opts.size.split("x").map(Number);
const env = Object.fromEntries(opts.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The growth figures the issue's goals are stated in. */
export function growth(samples: readonly SoakSample[]): { minutes: number } & Record<string, number | null> {
  const last = samples.at(-1);
  const warm = samples.find((s) => s.t >= Math.min(600, (last?.t ?? 0) / 3));
  const hour = samples.filter((s) => (last?.t ?? 0) - s.t <= 3600);
  const range = (k: keyof SoakSample): number =>
    Math.max(...samples.map((s) => Number(s[k]))) - Math.min(...samples.map((s) => Number(s[k])));
  return {
    minutes: last ? Math.round(last.t / 6) / 10 : 0,
    warm_at_min: warm ? Math.round(warm.t / 6) / 10 : null,
    rss_warm_mib: warm?.rss_mib ?? null,
    rss_end_mib: last?.rss_mib ?? null,
    rss_growth_percent: warm && last ? Math.round((1000 * (last.rss_mib - warm.rss_mib)) / warm.rss_mib) / 10 : null,
    rss_slope_after_warm_mib_per_min: round3(
      slopeMiBPerMin(
        samples.filter((s) => s.t >= (warm?.t ?? 0)).map((s) => ({ at: s.t * 1000, rss: s.rss_mib * 2 ** 20 })),
      ),
    ),
    rss_slope_last_hour_mib_per_min: round3(
      slopeMiBPerMin(hour.map((s) => ({ at: s.t * 1000, rss: s.rss_mib * 2 ** 20 }))),
    ),
    anon_slope_last_hour_mib_per_min: round3(
      slopeMiBPerMin(hour.map((s) => ({ at: s.t * 1000, rss: s.anon_mib * 2 ** 20 }))),
    ),
    heap_slope_last_hour_mib_per_min: round3(
      slopeMiBPerMin(hour.map((s) => ({ at: s.t * 1000, rss: (s.heap_used_mib ?? 0) * 2 ** 20 }))),
    ),
    fds_range: range("fds"),
    threads_range: range("threads"),
    children_range: range("children"),
  };
}
/** Bytes under a directory (the ring: recordings/<camera>/*.ts) and files ending in `suffix`. */
async function treeSize(dir: string, suffix: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isDirectory()) {
      const sub = await treeSize(join(dir, name), suffix);
      bytes += sub.bytes;
      files += sub.files;
    } else if (s && name.endsWith(suffix)) {
      bytes += s.size;
      files += 1;
    }
  }
  return { bytes, files };
}

const RING_MAX_BYTES = 64 * 2 ** 20;

const round3 = (n: number | null): number | null => (n === null ? null : Math.round(n * 1000) / 1000);

async function main(): Promise<void> {
  requireFixtures();
  await mkdir(opts.out, { recursive: true });
  const clip = await pedestrianFrames(60, { width: width ?? 1280, height: height ?? 720 }, 10);
  const servers = await Promise.all(
    Array.from({ length: cameras }, () => startRtspServer({ frames: clip.pattern, fps: 10 })),
  );
  const [httpPort, brokerPort] = [await freePort(), await freePort()];
  const broker = await startMosquitto({ port: brokerPort });
  const consumed = { incidents: 0, continuations: 0, alerts: 0, other: 0, max_incident_bytes: 0 };
  const consumer = connect(broker.url, { clientId: "soak-consumer", clean: true });
  consumer.on("connect", () => consumer.subscribe("vigil/#", { qos: 1 }));
  consumer.on("message", (topic, payload) => {
    if (topic.endsWith("/incidents")) {
      consumed.incidents++;
      consumed.max_incident_bytes = Math.max(consumed.max_incident_bytes, payload.length);
      const e = JSON.parse(payload.toString("utf8")) as { type?: string; data?: { continues?: string } };
      if (e.type === "incident.created" && e.data?.continues !== undefined) consumed.continuations++;
    } else if (topic.endsWith("/alerts")) consumed.alerts++;
    else consumed.other++;
  });
  const whole = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ];
  const box = await provisionBox({
    site: "soak",
    gateway: "gw-soak",
    http: { listen: `127.0.0.1:${httpPort}` },
    mqtt: { brokers: [broker.url] },
    cameras: servers.map((s, i) => ({
      id: `cam${i}`,
      url: s.url,
      detect: { fps: 5 },
      zones: [{ id: "floor", polygon: whole }],
    })),
    // --clips: every camera records its ring (bounded at RING_MAX_BYTES each) and every incident keeps a clip.
    ...(opts.clips ? { clips: { enabled: true, ring_max_bytes: RING_MAX_BYTES, min_free_bytes: 0 } } : {}),
    rules: {
      zones: servers.map((_, i) =>
        i % 2 === 0
          ? { id: `restricted-${i}`, kind: "restricted", camera: `cam${i}`, zone: "floor" }
          : { id: `loitering-${i}`, kind: "loitering", camera: `cam${i}`, zone: "floor", min_seconds: 10 },
      ),
    },
  });
  const daemon = startDaemon(box.configPath, env);
  const samples: SoakSample[] = [];
  try {
    await daemon.waitForLog((l) => l.msg === "started", 120_000);
    const pid = daemon.child.pid;
    if (pid === undefined) throw new Error("daemon has no pid");
    console.log(
      `soak: ${cameras} camera(s) ${opts.size}, ${minutes} min, every ${intervalS} s, daemon pid ${pid}, env ${JSON.stringify(env)}`,
    );
    const t0 = Date.now();
    while (Date.now() - t0 < minutes * 60_000) {
      const base = await takeSample(pid, `http://127.0.0.1:${httpPort}/metrics`, Math.round((Date.now() - t0) / 1000));
      const ring = opts.clips ? await treeSize(join(box.dir, "data", "recordings"), ".ts") : undefined;
      const clipFiles = opts.clips ? await treeSize(join(box.dir, "data", "clips"), ".mp4") : undefined;
      const s: SoakSample = {
        ...base,
        ring_mib: ring ? Math.round((10 * ring.bytes) / 2 ** 20) / 10 : null,
        clips: clipFiles?.files ?? null,
      };
      samples.push(s);
      console.log(
        `${(s.t / 60).toFixed(1).padStart(6)} min  rss ${s.rss_mib} anon ${s.anon_mib} heap ${s.heap_used_mib} ext ${s.external_mib} kids ${s.children}/${s.children_rss_mib} MiB fds ${s.fds} thr ${s.threads} lag ${s.lag_ms} ms  incidents ${consumed.incidents}${opts.clips ? `  ring ${s.ring_mib} MiB clips ${s.clips}` : ""}`,
      );
      await writeFile(join(opts.out, "samples.json"), JSON.stringify(samples));
      await sleep(intervalS * 1000 - ((Date.now() - t0) % (intervalS * 1000)));
    }
  } finally {
    daemon.signal("SIGTERM");
    await daemon.exited;
    consumer.end(true);
    await broker.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await clip.cleanup();
    await box.cleanup();
  }
  const ringMax = Math.max(0, ...samples.map((x) => x.ring_mib ?? 0));
  const clipFigures = opts.clips
    ? {
        clips: {
          ring_max_mib: ringMax,
          ring_bound_mib: (cameras * RING_MAX_BYTES) / 2 ** 20,
          ring_within_bound: ringMax <= (cameras * RING_MAX_BYTES) / 2 ** 20,
          clips_end: samples.at(-1)?.clips ?? 0,
        },
      }
    : {};
  const figures = { cameras, size: opts.size, env, ...growth(samples), consumed, ...clipFigures };
  await writeFile(join(opts.out, "summary.json"), JSON.stringify(figures, null, 2));
  const png = join(opts.out, "soak.png");
  await renderChart(
    samples,
    `Vigil soak: ${cameras} camera(s)${opts.clips ? ", clips on" : ""}, ${figures.minutes} min${opts.env.length ? `, ${opts.env.join(" ")}` : ""}`,
    png,
    ROOT,
  );
  console.log(JSON.stringify(figures, null, 2));
  console.log(`chart: ${png}`);
}

await main();
