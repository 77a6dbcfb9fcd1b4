import { spawn } from "node:child_process";
import { join } from "node:path";

/** The compiled writer process both durability tests kill (test/helpers/durable-writer.ts). */
export const DURABLE_WRITER = join(import.meta.dirname, "durable-writer.js");

/**
 * Runs a node script that prints one line per acknowledged write, SIGKILLs it once `atLeast`
 * lines have come (writes are in flight at that moment), and returns every line it printed. The
 * "close" event fires after stdout is drained, so nothing written to the pipe before the kill is
 * missed: each returned line is a write the process had been told was durable.
 */
export async function killAfterLines(
  script: string,
  args: string[],
  atLeast: number,
  opts: { ignore?: (line: string) => boolean; timeoutMs?: number } = {},
): Promise<string[]> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
  const lines = (): string[] =>
    stdout
      .split("\n")
      .slice(0, -1)
      .filter((l) => !opts.ignore?.(l));
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(
      () => reject(new Error(`${script} too slow; stderr: ${stderr}`)),
      opts.timeoutMs ?? 30_000,
    );
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (lines().length >= atLeast) {
        clearTimeout(guard);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(guard);
      reject(new Error(`${script} exited early; stderr: ${stderr}`));
    });
  });
  child.kill("SIGKILL");
  const signal = await exited;
  if (signal !== "SIGKILL") throw new Error(`${script} ended by ${String(signal)}, not SIGKILL`);
  return lines();
}
