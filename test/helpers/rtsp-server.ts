import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { spawnService } from "./service-process.js";
import { ROOT } from "./repo-root.js";

export interface RtspServerHandle {
  url: string;
  port: number;
  pid: number;
  /** SIGSTOP: the camera stalls, its TCP connections stay open but carry nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  stop(): Promise<void>;
}

// The helper runs from dist/test/helpers but the fixtures and the Python script live in the
// source tree, so find the repository root by a marker rather than a fixed number of "..".

export function fixturePath(...parts: string[]): string {
  return resolve(ROOT, "test", "fixtures", "data", ...parts);
}

export function requireFixtures(): void {
  if (!existsSync(fixturePath(".stamp"))) {
    throw new Error(`test fixtures are missing from ${fixturePath()}: run \`bash test/fixtures/fetch-test-data.sh\``);
  }
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

export async function startRtspServer(opts: {
  /** A JPEG sequence pattern, looped and encoded live; or use h264File / audioOnly. */
  frames?: string;
  fps?: number;
  port?: number;
  /** An MP4 (H.264) served once as is, without re-encoding. */
  h264File?: string;
  /** A stream with an audio track and no video. */
  audioOnly?: boolean;
  /** RTSP basic auth the server requires. */
  auth?: { user: string; password: string };
}): Promise<RtspServerHandle> {
  const script = join(ROOT, "test", "helpers", "rtsp_server.py");
  const args = [script, "--port", String(opts.port ?? 0), "--mount", "/cam"];
  if (opts.frames !== undefined) {
    // Fail here, not at the first client's DESCRIBE, when the sequence does not exist.
    const first = opts.frames.replace(/%0?(\d*)d/, (_m, w: string) => "0".repeat(Number(w) || 1));
    if (!existsSync(first)) {
      throw new Error(`no frame ${first}: run \`bash test/fixtures/fetch-test-data.sh\``);
    }
    args.push("--frames", opts.frames, "--fps", String(opts.fps ?? 10));
  } else if (opts.h264File !== undefined) {
    if (!existsSync(opts.h264File)) throw new Error(`no file ${opts.h264File}`);
    args.push("--h264-file", opts.h264File);
  } else if (opts.audioOnly) {
    args.push("--audio-only");
  } else {
    throw new Error("startRtspServer needs frames, h264File or audioOnly");
  }
  if (opts.auth) args.push("--user", opts.auth.user, "--password", opts.auth.password);
  // Debian's python3 has the gi bindings; a pyenv python on PATH does not.
  const service = spawnService("/usr/bin/python3", args);
  const { child, exited } = service;

  const lines = createInterface({ input: child.stdout });
  let url: string;
  try {
    url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => {
        rej(new Error(`no READY within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      lines.on("line", (line) => {
        const m = /^READY (rtsp:\/\/\S+)$/.exec(line);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        rej(e);
      });
      child.once("exit", (code, sig) => {
        clearTimeout(timer);
        rej(new Error(`exited before READY (code ${code}, signal ${sig})`));
      });
    });
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`rtsp_server.py failed: ${(e as Error).message}\nstderr:\n${service.stderr()}`);
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error("rtsp_server.py has no pid");
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    pause() {
      if (!service.done()) process.kill(pid, "SIGSTOP");
    },
    resume() {
      if (!service.done()) process.kill(pid, "SIGCONT");
    },
    async stop() {
      if (service.done()) return;
      child.kill("SIGTERM");
      // A paused (stopped) process only acts on SIGTERM once continued.
      child.kill("SIGCONT");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
