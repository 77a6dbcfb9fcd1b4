import type { FastifyReply, FastifyRequest } from "fastify";
import type { CameraConfig } from "../config/schema.js";
import { AuditThrottle } from "../audit/audit-throttle.js";
import type { AuditRecorder } from "../contract/audit.js";
import type { CameraScope } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { CameraPrincipal } from "../contract/principal.js";
import { type ApiKeyVerdict, type ApiKeyVerifier, refusalError } from "./api-keys/api-key-verifier.js";

/** What the TLS layer proved about the client certificate of a request's connection. */
export type CertificateVerdict =
  | { readonly ok: true; readonly cameraId: string; readonly fingerprint: string; readonly subject: string }
  | { readonly ok: false; readonly reason: string; readonly fingerprint?: string | undefined };

/** Reads the certificate behind a request; `undefined` when the connection is not TLS or has none. */
export type CertificateIdentifier = (request: FastifyRequest) => CertificateVerdict | undefined;

function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("ApiKey ")) return auth.slice(7).trim();
  const header = request.headers["x-api-key"];
  return typeof header === "string" ? header.trim() : undefined;
}

const unauthenticated = (): VigilError => new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid or expired credentials");

/**
 * Push cameras: an API key, a client certificate, or both, as each camera's `push.auth` says.
 * Whatever a camera presents must be valid, and every credential must belong to the camera
 * whose endpoint is called: a camera only ever writes as itself. Every refusal is audited.
 */
export class CameraAuthenticator {
  /** A camera stuck in a retry loop with a revoked key must not fill the trail. */
  private readonly throttle = new AuditThrottle();

  constructor(
    private readonly deps: {
      cameras: () => readonly CameraConfig[];
      keys: ApiKeyVerifier;
      certificates?: CertificateIdentifier | undefined;
      audit: AuditRecorder;
      /** Told of every refused camera request (metrics), audited or throttled. */
      onRefused?: () => void;
    },
  ) {}

  async authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    cameraId: string,
    scope: CameraScope,
  ): Promise<CameraPrincipal> {
    const key = presentedKey(request);
    const cert = this.deps.certificates?.(request);
    const keyVerdict: ApiKeyVerdict | undefined =
      key === undefined ? undefined : this.deps.keys.verify({ presented: key, cameraId, scope, sourceIp: request.ip });
    if (keyVerdict?.rate) {
      reply.header("x-ratelimit-limit", keyVerdict.rate.limit);
      reply.header("x-ratelimit-remaining", keyVerdict.rate.remaining);
      reply.header("x-ratelimit-reset", Math.max(0, Math.ceil((keyVerdict.rate.resetAt - Date.now()) / 1000)));
    }
    const camera = this.deps.cameras().find((c) => c.id === cameraId);
    const policy = camera?.push.auth ?? "either";
    const refuse = async (reason: string, err: VigilError): Promise<never> => {
      this.deps.onRefused?.();
      // Source and reason only: a camera id in the key would let one address open a window per id.
      const admitted = this.throttle.admit(`${request.ip} ${reason}`, Date.now());
      if (!admitted.record) throw err;
      await this.deps.audit.record({
        actor:
          keyVerdict?.ok === false && keyVerdict.keyId
            ? `key:${keyVerdict.keyId}`
            : cert?.ok
              ? `camera:${cert.cameraId}`
              : "unknown",
        source: request.ip,
        action: "camera.auth",
        target: `camera:${cameraId}`,
        result: "denied",
        details: {
          reason,
          scope,
          route: request.routeOptions.url ?? request.url,
          ...(cert?.fingerprint ? { cert_fingerprint: cert.fingerprint } : {}),
          ...(admitted.suppressed > 0 ? { suppressed: admitted.suppressed } : {}),
        },
      });
      throw err;
    };

    if (keyVerdict && !keyVerdict.ok) {
      if (keyVerdict.reason === "rate_limited") reply.header("retry-after", keyVerdict.retryAfterS ?? 1);
      return refuse(`api_key_${keyVerdict.reason}`, refusalError(keyVerdict.reason, keyVerdict.retryAfterS));
    }
    if (cert && !cert.ok) return refuse(`client_cert_${cert.reason}`, unauthenticated());
    if (cert?.ok && cert.cameraId !== cameraId)
      return refuse(
        "client_cert_wrong_camera",
        new VigilError(ErrorCodes.CAMERA_MISMATCH, "this certificate belongs to another camera"),
      );
    const hasKey = keyVerdict?.ok === true;
    const hasCert = cert?.ok === true;
    const enough =
      policy === "both"
        ? hasKey && hasCert
        : policy === "api_key"
          ? hasKey
          : policy === "client_cert"
            ? hasCert
            : hasKey || hasCert;
    if (!enough) return refuse(hasKey || hasCert ? `policy_${policy}_unmet` : "no_credentials", unauthenticated());
    if (!camera) return refuse("unknown_camera", new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${cameraId}`));
    return {
      kind: "camera",
      cameraId,
      apiKeyId: keyVerdict?.ok ? keyVerdict.keyId : undefined,
      certFingerprint: cert?.ok ? cert.fingerprint : undefined,
    };
  }
}
