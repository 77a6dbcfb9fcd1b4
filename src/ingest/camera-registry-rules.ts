import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type CameraConfig, CameraSchema, type ZoneRuleConfig } from "../config/schema.js";
import { ZoneRuleSchema } from "../config/rules-schema.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { InlineCredentialsSchema } from "./camera-credentials.js";
import { type ProbeInfo, ProbeInfoSchema } from "./camera-probe-result.js";

/** `config`: from the config file, changed only there. `runtime`: added through the API or CLI, stored. */
export type CameraOrigin = "config" | "runtime";

/** A runtime camera as stored in the `cameras` sublevel; credentials themselves are never in it. */
export const StoredCameraSchema = Type.Object(
  {
    camera: CameraSchema,
    probe: Type.Union([ProbeInfoSchema, Type.Null()]),
    /** Vigil wrote the credentials file (inline credentials): it is removed with the camera. */
    credentials_managed: Type.Boolean(),
    /** The camera's zone rules: `rules.zones` entries of the config, by the same schema. */
    rules: Type.Optional(Type.Array(ZoneRuleSchema)),
    added_at: Type.String(),
    added_by: Type.String(),
    updated_at: Type.String(),
    updated_by: Type.String(),
  },
  { additionalProperties: false },
);
export type StoredCamera = Static<typeof StoredCameraSchema>;

export interface RegisteredCamera {
  readonly camera: CameraConfig;
  readonly origin: CameraOrigin;
  readonly probe: ProbeInfo | null;
  /** A runtime camera's zone rules (stored with it); config cameras' rules are in the config's `rules.zones`. */
  readonly rules?: readonly ZoneRuleConfig[];
}

/** A copy of a schema without `default`s, for partial updates: a missing field must stay missing. */
function withoutDefaults<T extends TSchema>(schema: T): T {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string | symbol, unknown> = {};
    for (const key of Reflect.ownKeys(node))
      if (key !== "default") out[key] = strip((node as Record<string | symbol, unknown>)[key]);
    return out;
  };
  return strip(schema) as T;
}

const { id: _id, ...cameraFields } = CameraSchema.properties;

/** Fields with a default may be left out of a request (admin ops are checked before defaults apply). */
function defaultedOptional(fields: Record<string, TSchema>): Record<string, TSchema> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, "default" in v ? Type.Optional(v) : v]));
}

/** `POST /v1/cameras` and the `camera.add` op: a camera, plus inline credentials and whether to probe. */
export const AddCameraSchema = Type.Object(
  {
    id: CameraSchema.properties.id,
    ...defaultedOptional(cameraFields),
    credentials: Type.Optional(InlineCredentialsSchema),
    probe: Type.Optional(
      Type.Boolean({ description: "default true; false: add a camera that is offline now without reading its stream" }),
    ),
  },
  { additionalProperties: false },
);
export type AddCamera = Pick<CameraConfig, "id" | "url"> &
  Partial<Omit<CameraConfig, "id" | "url">> & { credentials?: string | undefined; probe?: boolean | undefined };

/** `PATCH /v1/cameras/:id` and `camera.update`: any camera field but the id; absent fields stay. */
export const CameraPatchSchema = Type.Object(
  {
    ...Type.Partial(withoutDefaults(Type.Object(cameraFields))).properties,
    credentials: Type.Optional(InlineCredentialsSchema),
    probe: Type.Optional(Type.Boolean({ description: "re-probe after a url or credentials change (default true)" })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CameraPatch = Static<typeof CameraPatchSchema>;

/** The camera an add request describes, defaults applied and checked; the 400 names the field. Pure. */
export function cameraFromAdd(input: AddCamera): CameraConfig {
  const { credentials: _c, probe: _p, ...fields } = input;
  return checkedCamera(fields);
}

/** A camera with a patch applied: fields replace, `detect` and `push` merge one level deep. Pure. */
export function patchCamera(camera: CameraConfig, patch: CameraPatch): CameraConfig {
  const { credentials: _c, probe: _p, ...fields } = patch;
  const merged: Record<string, unknown> = { ...camera, ...fields, id: camera.id };
  if (fields.detect) merged.detect = { ...camera.detect, ...fields.detect };
  if (fields.push) merged.push = { ...camera.push, ...fields.push };
  return checkedCamera(merged);
}

function checkedCamera(value: unknown): CameraConfig {
  const withDefaults = Value.Default(CameraSchema, Value.Clone(value));
  const first = Value.Errors(CameraSchema, withDefaults).First();
  if (first)
    throw new VigilError(ErrorCodes.VALIDATION, `${first.path || "/"}: ${first.message}`, {
      details: { field: first.path },
    });
  return withDefaults as CameraConfig;
}

/**
 * The camera list the daemon runs: every config camera, then every stored one whose id the config
 * does not use. The config file wins a clash (an installer who puts an id in the file means it);
 * the stored camera it hides is named in `shadowed`. Pure.
 */
export function mergeCameras(
  provisioned: readonly CameraConfig[],
  stored: readonly StoredCamera[],
): { cameras: RegisteredCamera[]; shadowed: string[] } {
  const taken = new Set(provisioned.map((c) => c.id));
  const cameras: RegisteredCamera[] = provisioned.map((camera) => ({ camera, origin: "config", probe: null }));
  const shadowed: string[] = [];
  for (const s of [...stored].sort((a, b) => a.camera.id.localeCompare(b.camera.id))) {
    if (taken.has(s.camera.id)) {
      shadowed.push(s.camera.id);
      continue;
    }
    taken.add(s.camera.id);
    cameras.push({ camera: s.camera, origin: "runtime", probe: s.probe, rules: s.rules ?? [] });
  }
  return { cameras, shadowed };
}

/** Whether a change needs the stream read again: where it comes from, or who it logs in as. Pure. */
export function needsProbe(before: CameraConfig, patch: CameraPatch): boolean {
  if (patch.probe === false) return false;
  return (
    (patch.url !== undefined && patch.url !== before.url) ||
    patch.credentials !== undefined ||
    (patch.credentials_file !== undefined && patch.credentials_file !== before.credentials_file)
  );
}
