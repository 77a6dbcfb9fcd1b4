import { Type } from "@sinclair/typebox";

/** Answers of /v1/auth (documentation for OpenAPI and the console's typed client). */

export const RoleSchema = Type.Union([
  Type.Literal("viewer"),
  Type.Literal("operator"),
  Type.Literal("supervisor"),
  Type.Literal("admin"),
]);

export const TokenResponse = Type.Object({
  access_token: Type.String({ description: "JWT for `Authorization: Bearer`." }),
  refresh_token: Type.Optional(
    Type.String({
      description:
        "Absent when the refresh token was set as the console's HttpOnly cookie (`X-Vigil-Refresh: cookie`).",
    }),
  ),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "Seconds until the access token expires." }),
});

export const MeResponse = Type.Object({
  username: Type.String(),
  role: RoleSchema,
  session_id: Type.String(),
  password_changed_at: Type.String(),
});

export const SessionSchema = Type.Object({
  id: Type.String(),
  user_agent: Type.String(),
  source: Type.String(),
  created_at: Type.String(),
  last_activity_at: Type.String(),
  expires_at: Type.String(),
  current: Type.Optional(Type.Boolean({ description: "The session this request belongs to." })),
});

export const SessionsResponse = Type.Object({ sessions: Type.Array(SessionSchema) });
