import { timingSafeEqual } from "node:crypto";
import type { CameraScope } from "../../contract/roles.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { digestApiKey, parseApiKey } from "./api-key-format.js";
import type { ApiKeyIndex } from "./api-key-store.js";
import { KeyRateLimiter, type RateDecision, type WindowStatus } from "./key-rate-limit.js";

export const API_KEY_REFUSALS = [
  "malformed",
  "unknown",
  "digest_mismatch",
  "revoked",
  "expired",
  "wrong_camera",
  "scope_missing",
  "source_not_allowed",
  "rate_limited",
] as const;
export type ApiKeyRefusal = (typeof API_KEY_REFUSALS)[number];

export interface VerifyRequest {
  /** The key as the camera sent it (header value without the scheme); anything at all. */
  readonly presented: unknown;
  /** The camera whose endpoint was called. */
  readonly cameraId: string;
  readonly scope: CameraScope;
  readonly sourceIp: string | undefined;
  /** Epoch ms; the verifier's clock when left out. */
  readonly now?: number;
}

/** The window closest to its limit, for `X-RateLimit-*` headers. */
export interface RateInfo {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms at which that window starts again. */
  readonly resetAt: number;
}

export type ApiKeyVerdict =
  | { readonly ok: true; readonly keyId: string; readonly cameraId: string; readonly rate: RateInfo }
  | {
      readonly ok: false;
      readonly reason: ApiKeyRefusal;
      /** Set once the key is proven genuine (never for a guessed or mistyped id). */
      readonly keyId?: string;
      readonly retryAfterS?: number;
      readonly rate?: RateInfo;
    };

const UNKNOWN_DIGEST = Buffer.alloc(32);

function tightest(windows: readonly WindowStatus[]): RateInfo {
  const w = windows.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.resetAt > a.resetAt) ? b : a,
  );
  return { limit: w.limit, remaining: w.remaining, resetAt: w.resetAt };
}

/**
 * Decides whether a presented API key may write `scope` for `cameraId` from `sourceIp`. In-memory
 * and synchronous. Nothing about the stored key is consulted before the digest matches, so a caller
 * without the secret learns only "no". The caller audits every refusal; the reasons are for the
 * audit trail, while the HTTP answer stays the same for every credential failure (see refusalError).
 */
export class ApiKeyVerifier {
  constructor(
    private readonly keys: ApiKeyIndex,
    private readonly limiter: KeyRateLimiter = new KeyRateLimiter(),
    private readonly clock: () => number = Date.now,
  ) {}

  verify(req: VerifyRequest): ApiKeyVerdict {
    const now = req.now ?? this.clock();
    const parts = parseApiKey(req.presented);
    if (!parts) return { ok: false, reason: "malformed" };
    const digest = Buffer.from(digestApiKey(req.presented as string), "hex");
    const key = this.keys.lookup(parts.keyId);
    if (!key) {
      // Key ids are public, but an unknown one still costs the same comparison as a known one.
      timingSafeEqual(UNKNOWN_DIGEST, digest);
      return { ok: false, reason: "unknown" };
    }
    if (key.digest.length !== digest.length || !timingSafeEqual(key.digest, digest))
      return { ok: false, reason: "digest_mismatch" };
    const { record } = key;
    const keyId = record.key_id;
    if (record.status !== "active") return { ok: false, reason: "revoked", keyId };
    if (key.expiresAtMs !== null && !(now < key.expiresAtMs)) return { ok: false, reason: "expired", keyId };
    if (record.camera_id !== req.cameraId) return { ok: false, reason: "wrong_camera", keyId };
    if (!record.scopes.includes(req.scope)) return { ok: false, reason: "scope_missing", keyId };
    if (!key.sources.allows(req.sourceIp)) return { ok: false, reason: "source_not_allowed", keyId };
    const decision: RateDecision = this.limiter.take(keyId, record.limits, now);
    const rate = tightest(decision.windows);
    if (!decision.ok) return { ok: false, reason: "rate_limited", keyId, retryAfterS: decision.retryAfterS, rate };
    this.keys.noteUse(keyId, now, req.sourceIp);
    return { ok: true, keyId, cameraId: record.camera_id, rate };
  }
}

/**
 * The coded error a refusal becomes. Every "these are not valid credentials" reason gets the same
 * code and message, so a caller cannot tell an unknown id from a revoked or expired key.
 */
export function refusalError(reason: ApiKeyRefusal, retryAfterS?: number): VigilError {
  switch (reason) {
    case "malformed":
    case "unknown":
    case "digest_mismatch":
    case "revoked":
    case "expired":
      return new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid or expired credentials");
    case "wrong_camera":
      return new VigilError(ErrorCodes.CAMERA_MISMATCH, "this key belongs to another camera");
    case "scope_missing":
      return new VigilError(ErrorCodes.FORBIDDEN, "this key may not write here");
    case "source_not_allowed":
      return new VigilError(ErrorCodes.FORBIDDEN, "this key may not be used from this address");
    case "rate_limited":
      return new VigilError(ErrorCodes.RATE_LIMITED, "too many requests for this key", {
        details: { retry_after_s: retryAfterS ?? 1 },
      });
  }
}
