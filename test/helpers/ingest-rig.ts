import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildConfig } from "../../src/config/loader.js";
import type { CameraConfig } from "../../src/config/schema.js";
import type { Frame } from "../../src/contract/detection.js";
import type { BackoffPolicy } from "../../src/core/backoff.js";
import { CameraManager } from "../../src/ingest/camera-manager.js";
import type { RecordingOutput } from "../../src/ingest/ffmpeg-args.js";
import { silentLogger } from "./uplink-stack.js";
import { fixturePath } from "./rtsp-server.js";

const run = promisify(execFile);

/** A camera as the config loader would produce it (every default filled in). */
export function camera(partial: Record<string, unknown> & { id: string; url: string }): CameraConfig {
  const config = buildConfig({ site: "hq", gateway: "gw-01", cameras: [partial] }, {}, tmpdir());
  const cam = config.cameras[0];
  if (!cam) throw new Error("no camera");
  return cam;
}

export interface IngestRig {
  readonly manager: CameraManager;
  readonly frames: Map<string, Frame[]>;
  readonly snapshots: Map<string, Array<{ jpeg: Buffer; capturedAt: number }>>;
  readonly states: Array<{ id: string; state: string; at: number }>;
  stop(): Promise<void>;
}

/** Real supervisors and real ffmpeg, driven through CameraManager without the rest of the daemon. */
export function ingestRig(o: {
  cameras: CameraConfig[];
  size?: { width: number; height: number };
  stallTimeoutMs?: number;
  startTimeoutMs?: number;
  socketTimeoutS?: number;
  secretsDir?: string;
  backoff?: BackoffPolicy;
  onFrame?: (frame: Frame) => void;
  keepFrames?: boolean;
  /** Where each camera records its ring (RecordingRing.output); absent: no recording. */
  recording?: (cameraId: string) => Promise<RecordingOutput | undefined>;
}): IngestRig {
  const frames = new Map<string, Frame[]>();
  const snapshots = new Map<string, Array<{ jpeg: Buffer; capturedAt: number }>>();
  const states: IngestRig["states"] = [];
  const manager = new CameraManager(
    {
      // A small working size keeps the rig's frames cheap; the cameras' own detect block wins.
      cameras: o.cameras.map((c) => ({
        ...c,
        detect: { width: o.size?.width ?? 160, height: o.size?.height ?? 160, ...c.detect },
      })),
      stallTimeoutMs: o.stallTimeoutMs ?? 3000,
      startTimeoutMs: o.startTimeoutMs ?? 8000,
      socketTimeoutS: o.socketTimeoutS ?? 3,
      secretsDir: o.secretsDir ?? tmpdir(),
      backoff: o.backoff ?? { initialMs: 300, maxMs: 2000, factor: 2, jitter: 0.5 },
      onFrame: (frame) => {
        const list = frames.get(frame.cameraId) ?? [];
        // Keep only the newest few unless asked: rgb frames are large.
        list.push(frame);
        if (!o.keepFrames && list.length > 3) list.shift();
        frames.set(frame.cameraId, list);
        o.onFrame?.(frame);
      },
      onSnapshot: (id, jpeg, capturedAt) => {
        const list = snapshots.get(id) ?? [];
        list.push({ jpeg, capturedAt });
        if (list.length > 3) list.shift();
        snapshots.set(id, list);
      },
      onStateChange: (id, state) => states.push({ id, state, at: Date.now() }),
      ...(o.recording ? { recording: o.recording } : {}),
    },
    silentLogger(),
  );
  return { manager, frames, snapshots, states, stop: () => manager.stop() };
}

export async function waitUntil(what: string, cond: () => boolean, timeoutMs: number, stepMs = 100): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return Date.now() - start;
}

/** A TCP port that accepts connections and never says a word (a hung camera). */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("no address");
  return {
    port: addr.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The first `seconds` of vtest.avi (people walking) as JPEGs numbered from 0, for a moving scene. */
export async function pedestrianFrames(
  seconds: number,
  size = { width: 640, height: 480 },
  fps = 10,
): Promise<{ pattern: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-pedestrians-"));
  const vf = `fps=${fps},scale=${size.width}:${size.height},setsar=1`;
  await run("ffmpeg", [
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-i",
    fixturePath("vtest.avi"),
    "-t",
    String(seconds),
    "-vf",
    vf,
    "-pix_fmt",
    "yuvj420p",
    "-q:v",
    "4",
    "-start_number",
    "0",
    join(dir, "%05d.jpg"),
  ]);
  if ((await readdir(dir)).length === 0) throw new Error("no frames extracted");
  return { pattern: join(dir, "%05d.jpg"), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A secrets dir with one credentials file. */
export async function credentialsDir(file: string, value: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-secrets-"));
  await writeFile(join(dir, file), value, { mode: 0o600 });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
