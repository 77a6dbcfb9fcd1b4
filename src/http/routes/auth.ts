import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuthService, ClientInfo } from "../../auth/auth-service.js";
import { PASSWORD_MAX_LENGTH } from "../../auth/password-policy.js";
import type { SessionRecord } from "../../auth/session-store.js";
import type { UserService } from "../../auth/user-service.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import {
  answerTokens,
  clearRefreshCookie,
  refreshCookieOf,
  type RefreshCookiePolicy,
  wantsCookie,
} from "../refresh-cookie.js";
import { PUBLIC, role, userOf } from "../route-access.js";
import { MeResponse, SessionsResponse, TokenResponse } from "./auth-schemas.js";

export interface AuthRouteDeps {
  readonly auth: AuthService;
  readonly users: UserService;
  /** The browser's refresh cookie; default: 7 days, not Secure (plain loopback HTTP). */
  readonly cookie?: RefreshCookiePolicy | undefined;
}

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
);
const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "Absent only for a browser refreshing from its cookie (with `X-Vigil-Refresh: cookie`).",
      }),
    ),
  },
  { additionalProperties: false },
);
const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    new_password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
);
const SessionParams = Type.Object({ id: Type.String({ pattern: "^[0-9a-f]{24}$" }) });

export function clientOf(request: FastifyRequest): ClientInfo {
  const ua = request.headers["user-agent"];
  return { ip: request.ip, userAgent: typeof ua === "string" ? ua : "" };
}

export function sessionView(s: SessionRecord, currentId?: string): Record<string, unknown> {
  return {
    id: s.id,
    user_agent: s.user_agent,
    source: s.source,
    created_at: new Date(s.created_at).toISOString(),
    last_activity_at: new Date(s.last_activity_at).toISOString(),
    expires_at: new Date(s.expires_at).toISOString(),
    ...(currentId === undefined ? {} : { current: s.id === currentId }),
  };
}

/** `/v1/auth/*`: login and refresh are public (and rate-limited hard); the rest need any role. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const cookie = deps.cookie ?? { maxAgeS: 604_800, secure: false };
  const tokens = { response: { 200: TokenResponse } };
  app.post<{ Body: { username: string; password: string } }>(
    "/v1/auth/login",
    { config: { access: PUBLIC, limit: "login" }, schema: { body: Credentials, ...tokens } },
    async (request, reply) => {
      const pair = await deps.auth.login(request.body.username, request.body.password, clientOf(request));
      return reply.send(answerTokens(request, reply, pair, cookie));
    },
  );

  app.post<{ Body: { refresh_token?: string } }>(
    "/v1/auth/refresh",
    { config: { access: PUBLIC }, schema: { body: RefreshBody, ...tokens } },
    async (request, reply) => {
      const token = request.body.refresh_token ?? (wantsCookie(request) ? refreshCookieOf(request) : undefined);
      if (token === undefined) {
        const why = wantsCookie(request)
          ? "no refresh cookie: sign in again"
          : "body/refresh_token is required (a browser refreshing from its cookie sends X-Vigil-Refresh: cookie)";
        throw new VigilError(wantsCookie(request) ? ErrorCodes.UNAUTHENTICATED : ErrorCodes.VALIDATION, why, {
          details: { field: "body/refresh_token" },
        });
      }
      const pair = await deps.auth.refresh(token, clientOf(request));
      return reply.send(answerTokens(request, reply, pair, cookie));
    },
  );

  app.post("/v1/auth/logout", { config: { access: role("viewer") } }, async (request, reply) => {
    await deps.auth.logout(userOf(request), clientOf(request));
    clearRefreshCookie(reply, cookie);
    return reply.status(204).send();
  });

  app.get(
    "/v1/auth/me",
    { config: { access: role("viewer") }, schema: { response: { 200: MeResponse } } },
    async (request) => {
      const me = userOf(request);
      const user = deps.users.get(me.username);
      return {
        username: user.username,
        role: user.role,
        session_id: me.sessionId,
        password_changed_at: user.password_changed_at,
      };
    },
  );

  app.post<{ Body: { current_password: string; new_password: string } }>(
    "/v1/auth/change-password",
    { config: { access: role("viewer") }, schema: { body: ChangePasswordBody } },
    async (request, reply) => {
      const me = userOf(request);
      await deps.users.changeOwnPassword(me.username, request.body.current_password, request.body.new_password, {
        name: me.username,
        source: request.ip,
      });
      return reply.status(204).send();
    },
  );

  app.get(
    "/v1/auth/sessions",
    { config: { access: role("viewer") }, schema: { response: { 200: SessionsResponse } } },
    async (request) => {
      const me = userOf(request);
      return { sessions: deps.auth.sessionsOf(me.username).map((s) => sessionView(s, me.sessionId)) };
    },
  );

  // Log out everywhere: every session of the caller, this one included.
  app.delete("/v1/auth/sessions", { config: { access: role("viewer") } }, async (request) => {
    const me = userOf(request);
    return { ended: await deps.auth.endSessions(me, me.username, "all", clientOf(request)) };
  });

  app.delete<{ Params: { id: string } }>(
    "/v1/auth/sessions/:id",
    { config: { access: role("viewer") }, schema: { params: SessionParams } },
    async (request, reply) => {
      const me = userOf(request);
      await deps.auth.endSessions(me, me.username, [request.params.id], clientOf(request));
      return reply.status(204).send();
    },
  );
}
