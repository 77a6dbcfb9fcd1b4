import { Type } from "@sinclair/typebox";
import type { AdminOps } from "../contract/admin.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ROLES, type Role } from "../contract/roles.js";
import type { TokenKeyRing } from "./token-keyring.js";
import { USERNAME_PATTERN } from "./user-store.js";
import type { UserService } from "./user-service.js";

const Username = Type.String({ pattern: USERNAME_PATTERN });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const UserArg = Type.Object({ username: Username }, { additionalProperties: false });

/** `vigil user ...` and `vigil keys ...`: the same services the HTTP API uses, with a local actor. */
export function userAdminOps(users: UserService, ring: TokenKeyRing, audit: AuditRecorder): AdminOps {
  return {
    "user.add": {
      summary: "create a user",
      args: Type.Object(
        { username: Username, role: Type.Union(ROLES.map((r) => Type.Literal(r))), password: Password },
        { additionalProperties: false },
      ),
      run: (args: { username: string; role: Role; password: string }, ctx) => users.add(args, { name: ctx.actor }),
    },
    "user.list": {
      summary: "list users",
      args: Type.Object({}, { additionalProperties: false }),
      run: async () => users.list(),
    },
    "user.disable": {
      summary: "disable a user and end their sessions",
      args: UserArg,
      run: (a: { username: string }, ctx) => users.setDisabled(a.username, true, { name: ctx.actor }),
    },
    "user.enable": {
      summary: "enable a user",
      args: UserArg,
      run: (a: { username: string }, ctx) => users.setDisabled(a.username, false, { name: ctx.actor }),
    },
    "user.delete": {
      summary: "delete a user",
      args: UserArg,
      run: (a: { username: string }, ctx) => users.delete(a.username, { name: ctx.actor }),
    },
    "user.reset_password": {
      summary: "set a new password for a user and end their sessions",
      args: Type.Object({ username: Username, password: Password }, { additionalProperties: false }),
      run: (a: { username: string; password: string }, ctx) =>
        users.resetPassword(a.username, a.password, { name: ctx.actor }),
    },
    "keys.list": {
      summary: "list the access-token signing keys",
      args: Type.Object({}, { additionalProperties: false }),
      run: async () => ring.list(),
    },
    "keys.rotate": {
      summary: "start signing access tokens with a new key; the previous one still verifies",
      args: Type.Object({}, { additionalProperties: false }),
      run: async (_args: Record<string, never>, ctx) => {
        const key = await ring.rotate();
        await audit.record({
          actor: ctx.actor,
          action: "keys.rotated",
          target: `token_key:${key.kid}`,
          result: "ok",
          details: { accepted: ring.list().map((k) => k.kid) },
        });
        return { kid: key.kid, created_at: key.createdAt, ring: ring.list() };
      },
    },
  };
}
