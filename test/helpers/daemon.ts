import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stringify } from "yaml";
import type { AuditEntry } from "../../src/contract/audit.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { ROOT } from "./repo-root.js";

/** dist/test/helpers -> repository root; the CLI under test is the built one, as systemd runs it. */
export const CLI = join(ROOT, "dist", "src", "cli", "main.js");

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export interface DaemonHandle {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: string[];
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
}

export interface TestBox {
  readonly dir: string;
  readonly configPath: string;
  start(): DaemonHandle;
  cleanup(): Promise<void>;
}

/** A provisioned box in a temp dir: config written, `vigil init` run (real secrets generated). */
export async function provisionBox(config: Record<string, unknown>): Promise<TestBox> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-box-"));
  const configPath = join(dir, "vigil.yaml");
  await writeFile(configPath, stringify({ data_dir: "data", secrets_dir: "secrets", ...config }));
  const init = await runCli(["init", "--config", configPath, "--json"]);
  if (init.code !== 0) throw new Error(`vigil init failed (${init.code}): ${init.stdout}${init.stderr}`);
  const handles: DaemonHandle[] = [];
  return {
    dir,
    configPath,
    start: () => {
      const h = startDaemon(configPath);
      handles.push(h);
      return h;
    },
    cleanup: async () => {
      for (const h of handles) {
        h.signal("SIGKILL");
        await h.exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function startDaemon(configPath: string, env: NodeJS.ProcessEnv = {}): DaemonHandle {
  const child = spawn(process.execPath, [CLI, "run", "--config", configPath], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      parsed = { msg: line };
    }
    logs.push(parsed);
    for (const w of waiters) {
      if (w.pred(parsed)) {
        waiters.delete(w);
        w.resolve(parsed);
      }
    }
  });
  createInterface({ input: child.stderr }).on("line", (line) => stderr.push(line));
  const exited = new Promise<number | string>((r) => child.once("exit", (code, sig) => r(code ?? sig ?? "unknown")));
  return {
    child,
    logs,
    stderr,
    exited,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    waitForLog: (pred, timeoutMs) => {
      const seen = logs.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((res, rej) => {
        const waiter = {
          pred,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            res(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const tail = logs.slice(-15).map((l) => JSON.stringify(l).slice(0, 300));
          rej(
            new Error(
              `no matching daemon log line within ${timeoutMs} ms; last lines:\n${tail.join("\n")}\nstderr:\n${stderr.join("\n")}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** Runs the built CLI; `stdin` (e.g. a password) is what it reads on stdin, a pipe; without it, stdin is empty. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  // A CLI that exits before reading all of its input must not fail the test with EPIPE.
  child.stdin.on("error", () => {});
  child.stdin.end(stdin);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // "close", not "exit": by then stdout and stderr are read to their end.
  const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)));
  return { code, stdout, stderr };
}

/** Every audit entry in a stopped box's store, read straight from LevelDB. */
export async function readStoredAudit(dataDir: string): Promise<AuditEntry[]> {
  const database = new Database(dataDir, createLogger({ level: "silent" }));
  await database.start();
  try {
    return (await database.sublevels.audit.values().all()) as AuditEntry[];
  } finally {
    await database.stop();
  }
}
