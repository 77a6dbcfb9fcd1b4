import assert from "node:assert/strict";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Role } from "../../src/contract/roles.js";
import type { AuthParts } from "../../src/compose/auth.js";

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

/** A password that passes the policy; a distinct one per call site keeps failures readable. */
export const PASSWORD = "Corr3ct-Horse-Battery!";

export async function addUser(auth: AuthParts, username: string, role: Role, password = PASSWORD): Promise<void> {
  await auth.users.add({ username, role, password }, { name: "test" });
}

export async function login(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
  remoteAddress = "10.1.2.3",
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { username, password },
    remoteAddress,
    headers: { "user-agent": "test-agent/1.0" },
  });
}

export async function loginOk(
  app: FastifyInstance,
  username: string,
  password = PASSWORD,
  remoteAddress = "10.1.2.3",
): Promise<Tokens> {
  const r = await login(app, username, password, remoteAddress);
  assert.equal(r.statusCode, 200, r.body);
  return r.json<Tokens>();
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export function errorCode(r: LightMyRequestResponse): string | undefined {
  return r.json<{ error?: { code?: string } }>().error?.code;
}
