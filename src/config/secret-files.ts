import { mkdir, open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { isSecretFileName, type SecretFiles } from "./sealed-secrets.js";

/**
 * Every regular file directly in the secrets directory, by name: the generated secrets and the
 * camera credentials files alike, since a box brought back without either cannot do its job.
 */
export async function readSecretFiles(dir: string): Promise<Map<string, Buffer>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new VigilError(
      ErrorCodes.SECRET_MISSING,
      `cannot read the secrets directory ${dir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const files = new Map<string, Buffer>();
  for (const name of names.sort()) {
    const path = join(dir, name);
    // stat, not lstat: an installer may have linked a secret in; sockets and directories are skipped.
    if (!isSecretFileName(name) || !(await stat(path)).isFile()) continue;
    files.set(name, await readFile(path));
  }
  if (files.size === 0) throw new VigilError(ErrorCodes.SECRET_MISSING, `no secrets in ${dir} (run "vigil init")`);
  return files;
}

export interface SecretRestorePlan {
  /** Files that do not exist yet: these are written. */
  readonly missing: ReadonlyMap<string, Buffer>;
  /** Files already there with exactly the backup's bytes: nothing to do. */
  readonly same: readonly string[];
  /** Files already there with other bytes: a restore never overwrites them. */
  readonly different: readonly string[];
}

/** What restoring `files` into `dir` would do, decided before anything is written. */
export async function planSecretRestore(dir: string, files: SecretFiles): Promise<SecretRestorePlan> {
  const missing = new Map<string, Buffer>();
  const same: string[] = [];
  const different: string[] = [];
  for (const [name, bytes] of files) {
    let current: Buffer;
    try {
      current = await readFile(join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        throw new VigilError(ErrorCodes.SECRET_MISSING, `cannot read ${join(dir, name)}: ${(err as Error).message}`, {
          cause: err,
        });
      missing.set(name, bytes);
      continue;
    }
    (current.equals(bytes) ? same : different).push(name);
  }
  return { missing, same, different };
}

/** Writes new secrets files (0600, fsynced); `wx` makes a file that appeared meanwhile an error, not a casualty. */
export async function writeSecretFiles(dir: string, files: SecretFiles): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const handle = await open(join(dir, name), "wx", 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    written.push(join(dir, name));
  }
  return written;
}
