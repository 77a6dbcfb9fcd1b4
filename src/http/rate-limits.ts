import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { sourceKey } from "../auth/source-key.js";

export interface RateLimitSettings {
  readonly perIpPerMinute: number;
  readonly perUserPerMinute: number;
  readonly loginPerIpPerMinute: number;
  readonly loginPerUserPerMinute: number;
}

export type RequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Limiters {
  readonly perIp: RequestHook;
  readonly perUser: RequestHook;
  readonly loginPerIp: RequestHook;
  /** Keyed by the username in the login body, so it runs after the body is parsed. */
  readonly loginPerUser: RequestHook;
  /** A route's own limit per user (or camera) a minute, for expensive routes. */
  perRoute(route: string, perMinute: number): RequestHook;
}

/** Told once per key and window when a limit is hit (for the audit trail and the flood alert). */
export type OnLimited = (request: FastifyRequest, limiter: string, key: string) => void;

const WINDOW_MS = 60_000;

/**
 * Fixed-window limits from @fastify/rate-limit's store, composed by hand because one request
 * passes several of them (per address before auth, per user after it); the plugin's own hook
 * runs only one limiter per request. Headers report whichever limit is closest to running out.
 */
export async function createLimiters(
  app: FastifyInstance,
  settings: RateLimitSettings,
  onLimited: OnLimited,
): Promise<Limiters> {
  await app.register(rateLimit, { global: false });
  const reported = new Map<string, number>();
  const limiter = (name: string, max: number, key: (request: FastifyRequest) => string): RequestHook => {
    const check = app.createRateLimit({
      max,
      timeWindow: WINDOW_MS,
      keyGenerator: (request) => `${name}:${key(request)}`,
    });
    return async (request, reply) => {
      const r = await check(request);
      if (r.isAllowed) return;
      const shown = Number(reply.getHeader("x-ratelimit-remaining") ?? Number.POSITIVE_INFINITY);
      if (r.remaining <= shown) {
        reply.header("x-ratelimit-limit", r.max);
        reply.header("x-ratelimit-remaining", r.remaining);
        reply.header("x-ratelimit-reset", r.ttlInSeconds);
      }
      if (!r.isExceeded) return;
      reply.header("retry-after", r.ttlInSeconds);
      const windowEnd = Date.now() + r.ttl;
      if ((reported.get(r.key) ?? 0) < Date.now()) {
        reported.set(r.key, windowEnd);
        if (reported.size > 10_000) for (const [k, until] of reported) if (until < Date.now()) reported.delete(k);
        onLimited(request, name, key(request));
      }
      throw new VigilError(ErrorCodes.RATE_LIMITED, `too many requests; retry in ${r.ttlInSeconds} s`);
    };
  };
  const loginName = (request: FastifyRequest): string => {
    const body = request.body as { username?: unknown } | undefined;
    return typeof body?.username === "string" ? body.username.toLowerCase().slice(0, 64) : "";
  };
  const principalKey = (r: FastifyRequest): string =>
    r.principal?.kind === "user"
      ? r.principal.username
      : r.principal?.kind === "camera"
        ? `camera:${r.principal.cameraId}`
        : sourceKey(r.ip);
  return {
    perRoute: (route, perMinute) => limiter(`route:${route}`, perMinute, principalKey),
    // An IPv6 host usually holds a whole /64: it is one source.
    perIp: limiter("ip", settings.perIpPerMinute, (r) => sourceKey(r.ip)),
    perUser: limiter("user", settings.perUserPerMinute, principalKey),
    loginPerIp: limiter("login-ip", settings.loginPerIpPerMinute, (r) => sourceKey(r.ip)),
    loginPerUser: limiter("login-user", settings.loginPerUserPerMinute, loginName),
  };
}
