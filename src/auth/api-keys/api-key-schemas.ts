import { type Static, Type } from "@sinclair/typebox";
import { KEY_ID_PATTERN } from "./api-key-format.js";
import { CAMERA_ID_PATTERN, CameraScopeSchema } from "./api-key-record.js";

/** Bounds of what an admin may ask for when creating a key (HTTP body and admin op alike). */
export const KEY_LIMITS_MAX = { per_minute: 100_000, per_hour: 6_000_000 } as const;
export const DEFAULT_KEY_LIMITS = { per_minute: 600, per_hour: 36_000 } as const;
export const MAX_EXPIRY_DAYS = 3650;
export const MAX_CIDRS = 64;

export const CameraIdSchema = Type.String({ pattern: CAMERA_ID_PATTERN, description: "camera id" });
export const KeyIdSchema = Type.String({ pattern: KEY_ID_PATTERN, description: "api key id (16 characters a-z, 2-7)" });

const createFields = {
  scopes: Type.Optional(
    Type.Array(CameraScopeSchema, { minItems: 1, uniqueItems: true, description: "default: every camera scope" }),
  ),
  label: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: "^[^\\u0000-\\u001f\\u007f]*$",
      description: "free text for admins",
    }),
  ),
  expires_in_days: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_EXPIRY_DAYS, description: "default: never expires" }),
  ),
  allowed_cidrs: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: MAX_CIDRS,
      description: "IPv4/IPv6 CIDRs the key may be used from; default: any",
    }),
  ),
  per_minute: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: KEY_LIMITS_MAX.per_minute,
      description: `default ${DEFAULT_KEY_LIMITS.per_minute}`,
    }),
  ),
  per_hour: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: KEY_LIMITS_MAX.per_hour,
      description: `default ${DEFAULT_KEY_LIMITS.per_hour}`,
    }),
  ),
};

/** `POST /v1/cameras/:id/keys` body: the camera comes from the path. */
export const CreateKeyBodySchema = Type.Object(createFields, { additionalProperties: false });
export type CreateKeyBody = Static<typeof CreateKeyBodySchema>;

/** `key.create` admin op and ApiKeyService.create. */
export const CreateKeyArgsSchema = Type.Object(
  { camera_id: CameraIdSchema, ...createFields },
  { additionalProperties: false },
);
export type CreateKeyArgs = Static<typeof CreateKeyArgsSchema>;

export const ListKeysArgsSchema = Type.Object(
  { camera_id: Type.Optional(CameraIdSchema) },
  { additionalProperties: false },
);
export type ListKeysArgs = Static<typeof ListKeysArgsSchema>;

export const RevokeKeyArgsSchema = Type.Object({ key_id: KeyIdSchema }, { additionalProperties: false });
export type RevokeKeyArgs = Static<typeof RevokeKeyArgsSchema>;
