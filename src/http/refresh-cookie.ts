import type { FastifyReply, FastifyRequest } from "fastify";
import type { TokenPair } from "../auth/auth-service.js";

/**
 * The browser's refresh token: an HttpOnly, SameSite=Strict cookie scoped to /v1/auth, so page
 * script never sees it and no other path receives it. The console asks for it with the header
 * `X-Vigil-Refresh: cookie` on login; a refresh from the cookie needs the same header, which a
 * cross-site form cannot send (and a cross-origin fetch cannot either without CORS, which the
 * daemon never grants). API clients send neither and keep the token in the body.
 */
export const REFRESH_COOKIE = "vigil_refresh";
export const REFRESH_MODE_HEADER = "x-vigil-refresh";
const COOKIE_PATH = "/v1/auth";

export interface RefreshCookiePolicy {
  /** The cookie's Max-Age: the session's longest life (auth.refresh_ttl_s). */
  readonly maxAgeS: number;
  /** Set `Secure` (the listener serves HTTPS). */
  readonly secure: boolean;
}

export function wantsCookie(request: FastifyRequest): boolean {
  return request.headers[REFRESH_MODE_HEADER] === "cookie";
}

export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === REFRESH_COOKIE) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

function cookie(value: string, maxAgeS: number, secure: boolean): string {
  return [
    `${REFRESH_COOKIE}=${encodeURIComponent(value)}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${maxAgeS}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** The pair for the body: in cookie mode the refresh token goes into the cookie and not the body. */
export function answerTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  pair: TokenPair,
  policy: RefreshCookiePolicy,
): Omit<TokenPair, "refresh_token"> & { refresh_token?: string } {
  reply.header("cache-control", "no-store");
  if (!wantsCookie(request)) return pair;
  reply.header("set-cookie", cookie(pair.refresh_token, policy.maxAgeS, policy.secure));
  const { refresh_token: _kept, ...rest } = pair;
  return rest;
}

export function clearRefreshCookie(reply: FastifyReply, policy: RefreshCookiePolicy): void {
  reply.header("set-cookie", cookie("", 0, policy.secure));
}
