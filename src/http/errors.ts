import type { FastifyError, FastifyInstance } from "fastify";
import { type ErrorCode, ErrorCodes, isVigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

/** The one place where error codes become HTTP statuses. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.VALIDATION]: 400,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.CAMERA_UNKNOWN]: 404,
  [ErrorCodes.STORE_UNAVAILABLE]: 503,
  [ErrorCodes.STORE_FULL]: 507,
  [ErrorCodes.SHUTTING_DOWN]: 503,
  [ErrorCodes.RATE_LIMITED]: 429,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.INCIDENT_TRANSITION]: 409,
  [ErrorCodes.ALREADY_EXISTS]: 409,
  [ErrorCodes.PASSWORD_POLICY]: 400,
  [ErrorCodes.CAMERA_MISMATCH]: 403,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCodes.WATCHLIST_UNAVAILABLE]: 503,
  [ErrorCodes.FACE_NOT_FOUND]: 422,
  [ErrorCodes.FACE_MULTIPLE]: 422,
  [ErrorCodes.FACE_TOO_SMALL]: 422,
  [ErrorCodes.CAMERA_PROVISIONED]: 409,
  [ErrorCodes.CAMERA_PROBE_FAILED]: 422,
  [ErrorCodes.CREDENTIALS_NOT_WRITABLE]: 409,
  [ErrorCodes.LIVE_VIEW_FULL]: 429,
  [ErrorCodes.LIVE_VIEW_UNAVAILABLE]: 503,
  [ErrorCodes.SNAPSHOT_UNAVAILABLE]: 404,
  [ErrorCodes.CLIP_UNAVAILABLE]: 404,
  [ErrorCodes.RANGE_NOT_SATISFIABLE]: 416,
  [ErrorCodes.CAMERA_SOURCE_REFUSED]: 400,
  [ErrorCodes.BACKUP_TAMPERED]: 422,
  [ErrorCodes.ACCOUNT_LOCKED]: 423,
  [ErrorCodes.FOUR_EYES]: 403,
};

export function httpStatusFor(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export function registerErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (isVigilError(err)) {
      const status = httpStatusFor(err.code);
      if (status >= 500) log.error({ err }, "request failed");
      // Only details meant for the caller travel: which field, and which rules it broke.
      const field = typeof err.details?.field === "string" ? { field: err.details.field } : {};
      const problems = Array.isArray(err.details?.problems) ? { problems: err.details.problems } : {};
      // A refusal that will pass once something changes (free space) says when to try again.
      if (typeof err.details?.retry_after_s === "number")
        void reply.header("retry-after", String(err.details.retry_after_s));
      return reply.status(status).send({ error: { code: err.code, message: err.message, ...field, ...problems } });
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.status(400).send({ error: { code: ErrorCodes.VALIDATION, message: fe.message } });
    if (typeof fe.statusCode === "number" && fe.statusCode < 500) {
      const code =
        fe.statusCode === 413
          ? ErrorCodes.PAYLOAD_TOO_LARGE
          : fe.statusCode === 415
            ? ErrorCodes.UNSUPPORTED_MEDIA_TYPE
            : ErrorCodes.VALIDATION;
      return reply.status(fe.statusCode).send({ error: { code, message: fe.message } });
    }
    log.error({ err }, "request failed");
    return reply.status(500).send({ error: { code: ErrorCodes.INTERNAL, message: "internal error" } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: ErrorCodes.NOT_FOUND, message: `no route ${request.method} ${request.url.split("?")[0] ?? ""}` },
    }),
  );
}
