import { type Static, type TString, Type } from "@sinclair/typebox";
import { CAMERA_SCOPES } from "../../contract/roles.js";
import { KEY_ID_PATTERN } from "./api-key-format.js";

/** Camera ids as the config allows them (`cameras[].id`). */
export const CAMERA_ID_PATTERN = "^[a-z0-9_-]{1,64}$";

export const CameraScopeSchema = Type.Union(CAMERA_SCOPES.map((s) => Type.Literal(s)));
// ISO 8601 UTC, as everywhere in the contract (no `format`: TypeBox would need a format registered).
const Timestamp = Type.String({ minLength: 20, maxLength: 30 });
const Nullable = (t: TString) => Type.Union([t, Type.Null()]);

/**
 * One key as stored in the `api_keys` sublevel under its key id. The digest stands in for the
 * secret, which is never stored; usage fields lag the truth by at most one flush interval.
 */
export const ApiKeyRecordSchema = Type.Object({
  key_id: Type.String({ pattern: KEY_ID_PATTERN }),
  camera_id: Type.String({ pattern: CAMERA_ID_PATTERN }),
  digest: Type.String({ pattern: "^[0-9a-f]{64}$" }),
  scopes: Type.Array(CameraScopeSchema, { minItems: 1, uniqueItems: true }),
  status: Type.Union([Type.Literal("active"), Type.Literal("revoked")]),
  label: Type.Optional(Type.String()),
  created_at: Timestamp,
  created_by: Type.String(),
  expires_at: Nullable(Timestamp),
  allowed_cidrs: Type.Array(Type.String()),
  limits: Type.Object({ per_minute: Type.Integer({ minimum: 1 }), per_hour: Type.Integer({ minimum: 1 }) }),
  usage_count: Type.Integer({ minimum: 0 }),
  last_used_at: Nullable(Timestamp),
  last_used_from: Nullable(Type.String()),
  revoked_at: Nullable(Timestamp),
  revoked_by: Nullable(Type.String()),
});

export type ApiKeyRecord = Static<typeof ApiKeyRecordSchema>;

/** What admins see: everything but the digest (not a secret, but nobody outside needs it). */
export type PublicApiKey = Omit<ApiKeyRecord, "digest">;

export function publicView(record: ApiKeyRecord): PublicApiKey {
  const { digest: _digest, ...rest } = record;
  return { ...rest, scopes: [...rest.scopes], allowed_cidrs: [...rest.allowed_cidrs], limits: { ...rest.limits } };
}
