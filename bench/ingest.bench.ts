/**
 * Ingest cost per camera: 1080p H.264 at 25 fps over RTSP (GStreamer serving an MP4 as is, no
 * re-encoding), analysed at 5 fps with a 1 fps main-stream JPEG snapshot, against a bare
 * `ffmpeg -i URL -f null -` of the same streams in the same run. CPU is read from /proc for the
 * ffmpeg children (utime+stime) and from process.cpuUsage() for the daemon side (frame assembly,
 * JPEG splitting, motion gate), per sub-window; medians are printed. The detector is left out:
 * its cost is bench/detector.bench.ts's. Then a still scene with motion gating: detector calls
 * per minute. BENCH_SECONDS (default 15) per phase; BENCH_CAMERAS (default 1,4,8).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { CameraConfig } from "../src/config/schema.js";
import { createLogger } from "../src/core/logger.js";
import { CameraManager } from "../src/ingest/camera-manager.js";
import { MotionGate } from "../src/ingest/motion-gate.js";
import { fixturePath, startRtspServer, type RtspServerHandle } from "../test/helpers/rtsp-server.js";
import { fmt, median } from "./stats.js";

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const COUNTS = (process.env.BENCH_CAMERAS ?? "1,4,8").split(",").map(Number);
const SUB_WINDOW_S = 3;
const WARMUP_MS = 4000;
const CLK_TCK = 100;
/** The detection stream as before regions: the frame shrunk to about a 256 model's size. */
const DETECT = { width: 256, height: 256, fps: 5 };
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function clip(name: string, input: string[]): Promise<string> {
  const path = join(tmpdir(), `vigil-bench-${name}.mp4`);
  if (existsSync(path)) return path;
  const seconds = SECONDS + WARMUP_MS / 1000 + 20;
  await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    ...input,
    "-t",
    String(seconds),
    "-vf",
    "scale=1920:1080,format=yuv420p",
    "-r",
    "25",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "25",
    "-bf",
    "0",
    "-b:v",
    "4M",
    `${path}.tmp.mp4`,
  ]);
  await run("mv", [`${path}.tmp.mp4`, path]);
  return path;
}

/** CPU seconds (user+system) of this process's ffmpeg children, by pid. */
async function ffmpegChildren(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the comm: state(3) ppid(4) ... utime(14) stime(15), numbered from 1 over the whole line.
      if (comm !== "ffmpeg" || Number(fields[1]) !== process.pid) continue;
      out.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // The process ended between readdir and readFile.
    }
  }
  return out;
}

/** Median CPU share (% of one core) over sub-windows: ffmpeg children and this process. */
async function measure(seconds: number): Promise<{ ffmpeg: number; node: number }> {
  const ff: number[] = [];
  const nd: number[] = [];
  for (let t = 0; t < seconds; t += SUB_WINDOW_S) {
    const f0 = await ffmpegChildren();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(SUB_WINDOW_S * 1000);
    const f1 = await ffmpegChildren();
    const c1 = process.cpuUsage(c0);
    const wall = (performance.now() - w0) / 1000;
    let used = 0;
    for (const [pid, cpu] of f1) used += cpu - (f0.get(pid) ?? cpu);
    ff.push((100 * used) / wall);
    nd.push((100 * (c1.user + c1.system)) / 1e6 / wall);
  }
  return { ffmpeg: median(ff), node: median(nd) };
}

async function bare(url: string, n: number): Promise<{ ffmpeg: number; node: number }> {
  const children: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(
      "ffmpeg",
      ["-nostdin", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url, "-an", "-f", "null", "-"],
      { stdio: "ignore" },
    ),
  );
  await sleep(WARMUP_MS);
  const m = await measure(SECONDS);
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))));
  return m;
}

function cameras(url: string, n: number, motion: boolean): CameraConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cam${i}`,
    url,
    enabled: true,
    detect: { fps: DETECT.fps },
    push: { auth: "either" as const },
    motion: { enabled: motion, threshold: 20, min_area: 0.002, idle_fps: 0.2 },
  }));
}

async function daemon(
  url: string,
  n: number,
  motion: boolean,
  withSnapshots = true,
  working: { width: number; height: number } = DETECT,
): Promise<{
  ffmpeg: number;
  node: number;
  passed: number;
  offered: number;
  snapshots: number;
  pipeMBps: number;
  frame: string;
}> {
  const list = cameras(url, n, motion).map((c) => ({ ...c, detect: { ...c.detect, ...working } }));
  let bytes = 0;
  let frame = "";
  let passed = 0;
  let snapshots = 0;
  const gate = new MotionGate(
    (id) => list.find((c) => c.id === id)?.motion,
    () => passed++,
  );
  const manager = new CameraManager(
    {
      cameras: list,
      stallTimeoutMs: 10_000,
      startTimeoutMs: 20_000,
      socketTimeoutS: 10,
      secretsDir: "/nonexistent",
      onFrame: (f) => {
        bytes += f.rgb.length;
        frame = `${f.width}x${f.height}`;
        gate.offer(f);
      },
      ...(withSnapshots ? { onSnapshot: () => snapshots++ } : {}),
    },
    log,
  );
  await manager.start();
  await sleep(WARMUP_MS);
  const p0 = passed;
  const b0 = bytes;
  const o0 = list.reduce((s, c) => s + gate.stats(c.id).offered, 0);
  const s0 = snapshots;
  const w0 = performance.now();
  const m = await measure(SECONDS);
  const wall = (performance.now() - w0) / 1000;
  const offered = list.reduce((s, c) => s + gate.stats(c.id).offered, 0) - o0;
  await manager.stop();
  return {
    ...m,
    passed: (passed - p0) / wall,
    offered: offered / wall,
    snapshots: (snapshots - s0) / wall,
    pipeMBps: (bytes - b0) / wall / 1e6 / n,
    frame,
  };
}

async function withServer<T>(file: string, f: (url: string) => Promise<T>): Promise<T> {
  // A fresh server per phase: the MP4 plays once from the first client's connection.
  const server: RtspServerHandle = await startRtspServer({ h264File: file });
  try {
    return await f(server.url);
  } finally {
    await server.stop();
  }
}

const moving = await clip("1080p-testsrc2", ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25"]);
const still = await clip("1080p-still", ["-loop", "1", "-framerate", "25", "-i", fixturePath("photos", "person.jpg")]);

console.log(
  `ingest: 1080p25 H.264 over RTSP/TCP, detect ${DETECT.width}x${DETECT.height} at ${DETECT.fps} fps + 1 fps JPEG snapshot; medians of ${SUB_WINDOW_S} s windows over ${SECONDS} s; % of one core`,
);
console.log(
  "cameras  bare ffmpeg  vigil ffmpeg  vigil node  extra/camera  node/camera  vigil/bare  analysed fps/cam  snapshots/s/cam  extra/camera w/o snapshots",
);
for (const n of COUNTS) {
  const b = await withServer(moving, (url) => bare(url, n));
  const d = await withServer(moving, (url) => daemon(url, n, false));
  const plain = await withServer(moving, (url) => daemon(url, n, false, false));
  const extra = (d.ffmpeg + d.node - b.ffmpeg) / n;
  const extraPlain = (plain.ffmpeg + plain.node - b.ffmpeg) / n;
  console.log(
    `${String(n).padStart(7)}  ${fmt(b.ffmpeg, 1).padStart(11)}  ${fmt(d.ffmpeg, 1).padStart(12)}  ${fmt(d.node, 1).padStart(10)}  ${fmt(extra, 1).padStart(12)}  ${fmt(d.node / n, 2).padStart(11)}  ${fmt((d.ffmpeg + d.node) / b.ffmpeg, 2).padStart(10)}  ${fmt(d.passed / n, 1).padStart(16)}  ${fmt(d.snapshots / n, 2).padStart(15)}  ${fmt(extraPlain, 1).padStart(26)}`,
  );
}

console.log(
  `\nworking resolution against the frame shrunk whole (${DETECT.width}x${DETECT.height} box, as before regions), one moving 1080p camera at ${DETECT.fps} fps, motion measured, no snapshots; same run`,
);
console.log("detect frame      pipe MB/s/cam  vigil ffmpeg %  vigil node %  total / shrunk-whole");
{
  const shrunk = await withServer(moving, (url) => daemon(url, 1, false, false, DETECT));
  const working = await withServer(moving, (url) => daemon(url, 1, false, false, { width: 1280, height: 1280 }));
  for (const [name, d] of [
    ["shrunk whole", shrunk],
    ["working 1280", working],
  ] as const) {
    console.log(
      `${`${name} ${d.frame}`.padEnd(16)}  ${fmt(d.pipeMBps, 2).padStart(13)}  ${fmt(d.ffmpeg, 1).padStart(14)}  ${fmt(d.node, 2).padStart(12)}  ${fmt((d.ffmpeg + d.node) / (shrunk.ffmpeg + shrunk.node), 2).padStart(19)}`,
    );
  }
}

console.log("\nmotion gating, one still 1080p camera at 5 fps (idle_fps 0.2)");
console.log("gating  detector calls/min  frames offered/min  vigil node %");
for (const motion of [false, true]) {
  const d = await withServer(still, (url) => daemon(url, 1, motion));
  console.log(
    `${(motion ? "on" : "off").padStart(6)}  ${fmt(d.passed * 60, 1).padStart(18)}  ${fmt(d.offered * 60, 1).padStart(18)}  ${fmt(d.node, 2).padStart(12)}`,
  );
}
