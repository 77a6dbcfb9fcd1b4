import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AuthService } from "../../auth/auth-service.js";
import { PASSWORD_MAX_LENGTH } from "../../auth/password-policy.js";
import { USERNAME_PATTERN } from "../../auth/user-store.js";
import type { UserService } from "../../auth/user-service.js";
import { ROLES, type Role } from "../../contract/roles.js";
import { role, userOf } from "../route-access.js";
import { clientOf, sessionView } from "./auth.js";
import { UserSchema, UserSessionsResponse, UsersResponse } from "./admin-responses.js";

const Username = Type.String({ pattern: USERNAME_PATTERN });
const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const NewUser = Type.Object(
  { username: Username, role: RoleSchema, password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);
const UserParams = Type.Object({ username: Username });
const UserPatch = Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false });
const PasswordReset = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);

const admin = { access: role("admin") };

/** `/v1/users`: user management, admin only. */
export function registerUserRoutes(app: FastifyInstance, deps: { users: UserService; auth: AuthService }): void {
  app.get("/v1/users", { config: admin, schema: { response: { 200: UsersResponse } } }, async () => ({
    users: deps.users.list(),
  }));

  app.post<{ Body: { username: string; role: Role; password: string } }>(
    "/v1/users",
    { config: admin, schema: { body: NewUser, response: { 201: UserSchema } } },
    async (request, reply) => {
      const me = userOf(request);
      const user = await deps.users.add(request.body, { name: me.username, source: request.ip });
      return reply.status(201).send(user);
    },
  );

  app.patch<{ Params: { username: string }; Body: { disabled: boolean } }>(
    "/v1/users/:username",
    { config: admin, schema: { params: UserParams, body: UserPatch, response: { 200: UserSchema } } },
    async (request) => {
      const me = userOf(request);
      return deps.users.setDisabled(request.params.username, request.body.disabled, {
        name: me.username,
        source: request.ip,
      });
    },
  );

  app.delete<{ Params: { username: string } }>(
    "/v1/users/:username",
    { config: admin, schema: { params: UserParams } },
    async (request, reply) => {
      const me = userOf(request);
      await deps.users.delete(request.params.username, { name: me.username, source: request.ip });
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { username: string }; Body: { password: string } }>(
    "/v1/users/:username/password",
    { config: admin, schema: { params: UserParams, body: PasswordReset } },
    async (request, reply) => {
      const me = userOf(request);
      await deps.users.resetPassword(request.params.username, request.body.password, {
        name: me.username,
        source: request.ip,
      });
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { username: string } }>(
    "/v1/users/:username/sessions",
    { config: admin, schema: { params: UserParams, response: { 200: UserSessionsResponse } } },
    async (request) => {
      deps.users.get(request.params.username);
      return { sessions: deps.auth.sessionsOf(request.params.username).map((s) => sessionView(s)) };
    },
  );

  app.delete<{ Params: { username: string } }>(
    "/v1/users/:username/sessions",
    { config: admin, schema: { params: UserParams } },
    async (request) => {
      deps.users.get(request.params.username);
      return { ended: await deps.auth.endSessions(userOf(request), request.params.username, "all", clientOf(request)) };
    },
  );
}
