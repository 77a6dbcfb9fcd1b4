/**
 * Incident clips: (1) the extra CPU of recording, the same 1080p25 H.264 RTSP cameras with and
 * without the ring output on their ffmpeg, same run, 1/4/8 cameras (ffmpeg children from /proc
 * plus this process, medians of sub-windows); (2) the ring's disk write rate per camera; (3) the
 * time from an incident's end to its clip being ready (post-roll and settle, which are waits by
 * design, and the assembly itself: probe every segment, stream-copy join, fsync, hash), over a
 * 25 fps 1080p camera. BENCH_SECONDS (default 15) per phase; BENCH_CAMERAS (default 1,4,8).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { CameraConfig } from "../src/config/schema.js";
import { createLogger } from "../src/core/logger.js";
import { CameraManager } from "../src/ingest/camera-manager.js";
import { RecordingRing } from "../src/ingest/recording/recording-ring.js";
import { openClipRig } from "../test/helpers/clip-rig.js";
import { startRtspServer } from "../test/helpers/rtsp-server.js";
import { fmt, median } from "./stats.js";

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const COUNTS = (process.env.BENCH_CAMERAS ?? "1,4,8").split(",").map(Number);
const SUB_WINDOW_S = 3;
const WARMUP_MS = 5000;
const CLK_TCK = 100;
const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function source(): Promise<string> {
  const path = join(tmpdir(), "vigil-bench-clips-1080p.mp4");
  if (existsSync(path)) return path;
  const seconds = (SECONDS + WARMUP_MS / 1000) * 2 + 20;
  await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1920x1080:rate=25",
    "-t",
    String(seconds),
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

async function ffmpegChildren(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm !== "ffmpeg" || Number(fields[1]) !== process.pid) continue;
      out.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // ended between readdir and readFile
    }
  }
  return out;
}

/** Median % of one core over sub-windows: ffmpeg children plus this process. */
async function measure(seconds: number): Promise<number> {
  const samples: number[] = [];
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
    samples.push((100 * (used + (c1.user + c1.system) / 1e6)) / wall);
  }
  return median(samples);
}

function cameras(url: string, n: number): CameraConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cam${i}`,
    url,
    enabled: true,
    detect: { fps: 5, width: 256, height: 256 },
    push: { auth: "either" as const },
    snapshot: { enabled: false, fps: 1, quality: 5, keyframes_only: true },
  }));
}

/** n cameras for one phase on a fresh server (the MP4 plays once from the first connection). */
async function phase(file: string, n: number, record: boolean): Promise<{ cpu: number; writeKBps: number }> {
  const server = await startRtspServer({ h264File: file });
  const dir = await mkdtemp(join(tmpdir(), "vigil-bench-ring-"));
  const ring = new RecordingRing({
    root: join(dir, "recordings"),
    records: () => record,
    segmentS: 2,
    bounds: { keepMs: 3_600_000, maxBytes: 1 << 30 },
    minFreeBytes: 0,
    intervalMs: 2000,
    log,
  });
  await ring.start();
  const manager = new CameraManager(
    {
      cameras: cameras(server.url, n),
      stallTimeoutMs: 10_000,
      startTimeoutMs: 20_000,
      socketTimeoutS: 10,
      secretsDir: "/nonexistent",
      onFrame: () => {},
      recording: (id) => ring.output(id),
    },
    log,
  );
  try {
    await manager.start();
    await sleep(WARMUP_MS);
    const bytes = async () => {
      let b = 0;
      for (let i = 0; i < n; i += 1) b += (await ring.segments(`cam${i}`)).reduce((s, x) => s + x.bytes, 0);
      return b;
    };
    const b0 = await bytes();
    const w0 = performance.now();
    const cpu = await measure(SECONDS);
    const wall = (performance.now() - w0) / 1000;
    const writeKBps = ((await bytes()) - b0) / wall / 1024 / n;
    return { cpu, writeKBps };
  } finally {
    await manager.stop();
    await ring.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const file = await source();
console.log(
  `clips: 1080p25 H.264 (4 Mbit/s) over RTSP/TCP, detect 256x256 at 5 fps, no snapshots; medians of ${SUB_WINDOW_S} s windows over ${SECONDS} s; % of one core, ffmpeg + node`,
);
console.log("cameras  without ring  with ring  extra/camera  with/without  ring write KiB/s/cam");
for (const n of COUNTS) {
  // Alternated so neither phase always runs on a warmer (or busier) box.
  const without = await phase(file, n, false);
  const withRing = await phase(file, n, true);
  console.log(
    `${String(n).padStart(7)}  ${fmt(without.cpu, 1).padStart(12)}  ${fmt(withRing.cpu, 1).padStart(9)}  ${fmt((withRing.cpu - without.cpu) / n, 2).padStart(12)}  ${fmt(withRing.cpu / without.cpu, 3).padStart(12)}  ${fmt(withRing.writeKBps, 0).padStart(20)}`,
  );
}

// Time from an incident's end to its clip: real camera, real store, real recorder.
{
  const server = await startRtspServer({ h264File: file });
  const postRollMs = 3000;
  const rig = await openClipRig({
    urls: { yard: server.url },
    settings: { preRollMs: 3000, postRollMs, maxClipMs: 120_000 },
    bounds: { keepMs: 60_000 },
    tickMs: 100,
  });
  const readyAfter: number[] = [];
  const assembly: number[] = [];
  const sizes: number[] = [];
  try {
    const deadline = Date.now() + 20_000;
    while (rig.cameras.manager.supervisor("yard")?.state !== "online" && Date.now() < deadline) await sleep(100);
    await sleep(4000);
    for (let k = 0; k < 3; k += 1) {
      const at = Date.now();
      const inc = await rig.incidents.create({
        cameraId: "yard",
        rule: "restricted",
        objects: [{ label: "person", score: 0.9, box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 } }],
        startedAt: at,
        lastSeenAt: at,
        summary: "bench",
      });
      await sleep(6000);
      const endedAt = Date.now();
      await rig.incidents.markEnded(inc.id, endedAt);
      for (;;) {
        const now = await rig.incidents.get(inc.id);
        const clip = now?.clips?.[0];
        if (clip) {
          const ready = Date.now() - endedAt;
          readyAfter.push(ready);
          // settle = 2 x segment_s + 1 s in the rig (segment 1 s): 3 s
          assembly.push(ready - postRollMs - 3000);
          sizes.push(clip.duration_s);
          break;
        }
        if (Date.now() - endedAt > 60_000) throw new Error("no clip");
        await sleep(20);
      }
    }
  } finally {
    await rig.close();
    await server.stop();
  }
  console.log(
    `\nincident end -> clip ready, 1080p25 camera, ~${fmt(median(sizes), 1)} s clips (pre 3 s, 6 s seen, post ${postRollMs / 1000} s), segment 1 s, settle 3 s; ${readyAfter.length} incidents`,
  );
  console.log(
    `median ${fmt(median(readyAfter), 0)} ms after the end, of which post-roll ${postRollMs} ms and settle 3000 ms by design; assembly and recording (incl. the 100 ms tick) ${fmt(median(assembly), 0)} ms`,
  );
}
