import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCodes, VigilError } from "../../core/errors.js";

/** File mode of private keys: created so, never widened. */
export const KEY_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

export { writeFileAtomic } from "../../core/atomic-file.js";

/** The file's text, or undefined when there is no such file. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function lockMtimeMs(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * One `vigil cert` writer at a time per certs_dir (an installer may script issues in parallel):
 * a lock file holding the owner's pid, taken over when that process is gone.
 */
export async function withLockFile<T>(path: string, work: () => Promise<T>, waitMs = 5000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, "wx", KEY_FILE_MODE);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt((await readTextIfExists(path)) ?? "", 10);
      // No pid at all: its writer died between creating and filling it, unless that was just now.
      const stale =
        Number.isInteger(owner) && owner > 0 ? !processAlive(owner) : Date.now() - (await lockMtimeMs(path)) > 10_000;
      if (stale) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new VigilError(
          ErrorCodes.CONFLICT,
          `${path} is held by another vigil cert command (pid ${Number.isNaN(owner) ? "?" : owner})`,
        );
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
