/**
 * The daemon as systemd runs it (a child process): `GET /v1/health` and `GET /metrics` latency
 * (p50, p99) while 4 cameras stream at 5 fps into the detector, against the same requests with no
 * camera in the same run; and the CPU share of the daemon and of its ffmpeg children, and the
 * daemon's RSS, after settling with 0, 1 and 4 cameras.
 */
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { provisionBox, runCli } from "../test/helpers/daemon.js";
import { freePort } from "../test/helpers/free-port.js";
import { fixturePath, startRtspServer } from "../test/helpers/rtsp-server.js";
import { fmt, percentile } from "./stats.js";

const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 15);
const MEASURE_S = Number(process.env.BENCH_MEASURE_S ?? 10);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PASSWORD = "Corr3ct-Horse-Battery!";
const TICKS = 100; // USER_HZ on Linux

async function statOf(pid: number): Promise<{ ppid: number; cpu: number } | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return undefined;
  }
}

/** CPU seconds of the daemon and, separately, of its children (the cameras' ffmpeg processes). */
async function cpuSeconds(pid: number): Promise<{ daemon: number; children: number }> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const stats = await Promise.all(pids.map(async (p) => ({ pid: p, stat: await statOf(p) })));
  const children = stats.filter((s) => s.stat?.ppid === pid).reduce((sum, s) => sum + (s.stat?.cpu ?? 0), 0);
  return { daemon: (await statOf(pid))?.cpu ?? 0, children };
}

async function rssMiB(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) / 1024;
}

async function latencies(url: string, headers: Record<string, string>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function run(cameras: number, rtspUrl: string): Promise<void> {
  const port = await freePort();
  const box = await provisionBox({
    site: "bench",
    gateway: `gw-${cameras}`,
    http: { listen: `127.0.0.1:${port}` },
    auth: { rate_limit: { per_ip_per_minute: 1_000_000, per_user_per_minute: 1_000_000 } },
    cameras: Array.from({ length: cameras }, (_, i) => ({ id: `cam${i}`, url: rtspUrl, detect: { fps: 5 } })),
  });
  try {
    const add = await runCli(["user", "add", "bench", "--role", "viewer", "--config", box.configPath], {}, PASSWORD);
    if (add.code !== 0) throw new Error(add.stderr);
    const daemon = box.start();
    await daemon.waitForLog((l) => l.msg === "http listening", 60_000);
    const pid = daemon.child.pid ?? 0;
    await sleep(SETTLE_S * 1000);
    const cpu0 = await cpuSeconds(pid);
    await sleep(MEASURE_S * 1000);
    const cpu1 = await cpuSeconds(pid);
    const daemonShare = (cpu1.daemon - cpu0.daemon) / MEASURE_S;
    // Children that restarted in the window would read low; the figure is a floor for ffmpeg.
    const ffmpegShare = Math.max(0, cpu1.children - cpu0.children) / MEASURE_S;
    const rss = await rssMiB(pid);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bench", password: PASSWORD }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const health = await latencies(`${base}/v1/health`, { authorization: `Bearer ${access_token}` });
    const metrics = await latencies(`${base}/metrics`, {});
    console.log(
      `${cameras} camera(s): daemon CPU ${fmt(daemonShare * 100, 1)}% of one core, its ffmpeg ${fmt(ffmpegShare * 100, 1)}%, RSS ${fmt(rss, 0)} MiB; ` +
        `/v1/health p50 ${fmt(health.p50)} ms p99 ${fmt(health.p99)} ms; /metrics p50 ${fmt(metrics.p50)} ms p99 ${fmt(metrics.p99)} ms`,
    );
  } finally {
    await box.cleanup();
  }
}

const rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 25 });
try {
  console.log(`daemon idle figures after ${SETTLE_S} s, CPU over ${MEASURE_S} s, ${REQUESTS} requests per endpoint:`);
  for (const n of [0, 1, 4]) await run(n, rtsp.url);
} finally {
  await rtsp.stop();
}
