import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ErrorCodes, VigilError } from "../core/errors.js";

const ModelEntrySchema = Type.Object({
  id: Type.String({ pattern: "^[a-z0-9._-]+$" }),
  task: Type.Union(["object-detection", "face-detection", "face-embedding", "text-detection", "text-recognition"].map((t) => Type.Literal(t))),
  decoder: Type.String(),
  file: Type.String({ minLength: 1 }),
  sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
  input: Type.Object({
    name: Type.String(),
    shape: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 4, maxItems: 4 }),
    layout: Type.Union([Type.Literal("NHWC"), Type.Literal("NCHW")]),
    color: Type.Union([Type.Literal("RGB"), Type.Literal("BGR")]),
    scale: Type.Number(),
    offset: Type.Number(),
    mean: Type.Optional(Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: "per tensor channel (after any BGR swap), subtracted after scale and offset" })),
    std: Type.Optional(Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: "per tensor channel, divides after the mean" })),
  }),
  outputs: Type.Array(Type.String(), { minItems: 1 }),
  labels: Type.Array(Type.String()),
  licence: Type.String(),
  licence_file: Type.Optional(Type.String()),
  attribution: Type.Optional(Type.String()),
  source: Type.Optional(Type.Object({ npm: Type.String(), path: Type.String(), licence_path: Type.Optional(Type.String()) })),
});

const ManifestSchema = Type.Object({ models: Type.Array(ModelEntrySchema) });

export type ModelEntry = Static<typeof ModelEntrySchema>;
export type Manifest = Static<typeof ManifestSchema>;

export function manifestPath(modelsDir: string): string {
  return join(modelsDir, "manifest.json");
}

export async function readManifest(modelsDir: string): Promise<Manifest> {
  const path = manifestPath(modelsDir);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new VigilError(ErrorCodes.MANIFEST_INVALID, `cannot read model manifest ${path}: ${(err as Error).message}`, { cause: err });
  }
  const first = Value.Errors(ManifestSchema, raw).First();
  if (first) throw new VigilError(ErrorCodes.MANIFEST_INVALID, `${path}: ${first.path}: ${first.message}`);
  return raw as Manifest;
}

export function findModel(manifest: Manifest, id: string): ModelEntry {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) {
    throw new VigilError(ErrorCodes.MODEL_NOT_FOUND, `model "${id}" is not in the manifest (known: ${manifest.models.map((m) => m.id).join(", ")})`);
  }
  return entry;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The model file exists and is byte-for-byte the one the manifest names; returns its path. */
export async function verifyModelFile(modelsDir: string, entry: ModelEntry): Promise<string> {
  const path = join(modelsDir, entry.file);
  try {
    await stat(path);
  } catch {
    throw new VigilError(ErrorCodes.MODEL_NOT_FOUND, `model file for "${entry.id}" is missing: ${path} (run "vigil models fetch")`, { details: { model: entry.id, path } });
  }
  const actual = await sha256File(path);
  if (actual !== entry.sha256) {
    throw new VigilError(ErrorCodes.MODEL_HASH_MISMATCH, `model file ${path} has sha256 ${actual}, manifest expects ${entry.sha256}`, {
      details: { model: entry.id, path, expected: entry.sha256, actual },
    });
  }
  return path;
}
