/**
 * Every failure a user can see carries a stable code. Tests, HTTP clients and central servers
 * match on the code, never on the message, so messages can improve without breaking anyone.
 */
export const ErrorCodes = {
  CONFIG_INVALID: "VIGIL_E_CONFIG_INVALID",
  CONFIG_NOT_FOUND: "VIGIL_E_CONFIG_NOT_FOUND",
  CONFIG_PARSE: "VIGIL_E_CONFIG_PARSE",
  SECRET_MISSING: "VIGIL_E_SECRET_MISSING",
  SECRET_WEAK: "VIGIL_E_SECRET_WEAK",
  STORE_LOCKED: "VIGIL_E_STORE_LOCKED",
  STORE_UNAVAILABLE: "VIGIL_E_STORE_UNAVAILABLE",
  STORE_FORMAT: "VIGIL_E_STORE_FORMAT",
  /** The data volume is below its free-space reserve (or full): this write is refused for now. */
  STORE_FULL: "VIGIL_E_STORE_FULL",
  MODEL_NOT_FOUND: "VIGIL_E_MODEL_NOT_FOUND",
  MODEL_HASH_MISMATCH: "VIGIL_E_MODEL_HASH_MISMATCH",
  MODEL_LOAD_FAILED: "VIGIL_E_MODEL_LOAD_FAILED",
  MODEL_FETCH_FAILED: "VIGIL_E_MODEL_FETCH_FAILED",
  MANIFEST_INVALID: "VIGIL_E_MANIFEST_INVALID",
  MODEL_CONVERT_UNSUPPORTED_OP: "VIGIL_E_MODEL_CONVERT_UNSUPPORTED_OP",
  MODEL_CONVERT_FAILED: "VIGIL_E_MODEL_CONVERT_FAILED",
  MODEL_EXISTS: "VIGIL_E_MODEL_EXISTS",
  INFERENCE_FAILED: "VIGIL_E_INFERENCE_FAILED",
  INFERENCE_TIMEOUT: "VIGIL_E_INFERENCE_TIMEOUT",
  NO_PROVIDER: "VIGIL_E_NO_PROVIDER",
  CAMERA_UNKNOWN: "VIGIL_E_CAMERA_UNKNOWN",
  LIFECYCLE_TIMEOUT: "VIGIL_E_LIFECYCLE_TIMEOUT",
  SHUTTING_DOWN: "VIGIL_E_SHUTTING_DOWN",
  NOT_FOUND: "VIGIL_E_NOT_FOUND",
  UNAUTHENTICATED: "VIGIL_E_UNAUTHENTICATED",
  FORBIDDEN: "VIGIL_E_FORBIDDEN",
  VALIDATION: "VIGIL_E_VALIDATION",
  OUTBOX_FULL: "VIGIL_E_OUTBOX_FULL",
  PAYLOAD_TOO_LARGE: "VIGIL_E_PAYLOAD_TOO_LARGE",
  INTERNAL: "VIGIL_E_INTERNAL",
  COMMAND_MALFORMED: "VIGIL_E_COMMAND_MALFORMED",
  COMMAND_UNSIGNED: "VIGIL_E_COMMAND_UNSIGNED",
  COMMAND_BAD_SIGNATURE: "VIGIL_E_COMMAND_BAD_SIGNATURE",
  COMMAND_ALG_NOT_ALLOWED: "VIGIL_E_COMMAND_ALG_NOT_ALLOWED",
  COMMAND_EXPIRED: "VIGIL_E_COMMAND_EXPIRED",
  COMMAND_NOT_YET_VALID: "VIGIL_E_COMMAND_NOT_YET_VALID",
  COMMAND_LIFETIME_TOO_LONG: "VIGIL_E_COMMAND_LIFETIME_TOO_LONG",
  COMMAND_NAME_MISMATCH: "VIGIL_E_COMMAND_NAME_MISMATCH",
  COMMAND_WRONG_AUDIENCE: "VIGIL_E_COMMAND_WRONG_AUDIENCE",
  COMMAND_UNKNOWN: "VIGIL_E_COMMAND_UNKNOWN",
  COMMAND_ID_CONFLICT: "VIGIL_E_COMMAND_ID_CONFLICT",
  COMMAND_BUSY: "VIGIL_E_COMMAND_BUSY",
  CHECKPOINT_INVALID: "VIGIL_E_CHECKPOINT_INVALID",
  RATE_LIMITED: "VIGIL_E_RATE_LIMITED",
  CONFLICT: "VIGIL_E_CONFLICT",
  ALREADY_EXISTS: "VIGIL_E_ALREADY_EXISTS",
  PASSWORD_POLICY: "VIGIL_E_PASSWORD_POLICY",
  CAMERA_MISMATCH: "VIGIL_E_CAMERA_MISMATCH",
  UNSUPPORTED_MEDIA_TYPE: "VIGIL_E_UNSUPPORTED_MEDIA_TYPE",
  PKI_FAILED: "VIGIL_E_PKI_FAILED",
  DAEMON_UNREACHABLE: "VIGIL_E_DAEMON_UNREACHABLE",
  INCIDENT_TRANSITION: "VIGIL_E_INCIDENT_TRANSITION",
  WATCHLIST_UNAVAILABLE: "VIGIL_E_WATCHLIST_UNAVAILABLE",
  WATCHLIST_KEY_UNKNOWN: "VIGIL_E_WATCHLIST_KEY_UNKNOWN",
  WATCHLIST_DECRYPT_FAILED: "VIGIL_E_WATCHLIST_DECRYPT_FAILED",
  FACE_NOT_FOUND: "VIGIL_E_FACE_NOT_FOUND",
  FACE_MULTIPLE: "VIGIL_E_FACE_MULTIPLE",
  FACE_TOO_SMALL: "VIGIL_E_FACE_TOO_SMALL",
  /** A camera from the config file: change it there (and reload), not through the API or CLI. */
  CAMERA_PROVISIONED: "VIGIL_E_CAMERA_PROVISIONED",
  /** ffprobe could not read the stream at camera add (the reason is in the message, credentials redacted). */
  CAMERA_PROBE_FAILED: "VIGIL_E_CAMERA_PROBE_FAILED",
  /** Inline camera credentials could not be written to secrets_dir (read-only to the daemon under systemd). */
  CREDENTIALS_NOT_WRITABLE: "VIGIL_E_CREDENTIALS_NOT_WRITABLE",
  /** Live view: the camera has its maximum number of viewers. */
  LIVE_VIEW_FULL: "VIGIL_E_LIVE_VIEW_FULL",
  /** Live view: the camera is disabled, live view is off, or the relay could not start. */
  LIVE_VIEW_UNAVAILABLE: "VIGIL_E_LIVE_VIEW_UNAVAILABLE",
  SNAPSHOT_UNAVAILABLE: "VIGIL_E_SNAPSHOT_UNAVAILABLE",
  /** The incident has no such clip (not recorded, not assembled yet, or deleted by retention). */
  CLIP_UNAVAILABLE: "VIGIL_E_CLIP_UNAVAILABLE",
  /** A `Range` header that asks for bytes outside the file (416). */
  RANGE_NOT_SATISFIABLE: "VIGIL_E_RANGE_NOT_SATISFIABLE",
  /** A camera URL or credentials file that reaches what a camera must not: the daemon's secrets, the box's files, inline credentials. */
  CAMERA_SOURCE_REFUSED: "VIGIL_E_CAMERA_SOURCE_REFUSED",
  /** A backup whose MAC does not verify (edited, cut short, or written under another audit key): nothing is restored. */
  BACKUP_TAMPERED: "VIGIL_E_BACKUP_TAMPERED",
  /** A password change while the account is locked after failed attempts. */
  ACCOUNT_LOCKED: "VIGIL_E_ACCOUNT_LOCKED",
  /** Four-eyes rule: the approver of a dispatch is the one who requested it. */
  FOUR_EYES: "VIGIL_E_FOUR_EYES",
  /** `vigil central send`: no matching cmd_result from the gateway within the timeout. */
  COMMAND_RESULT_TIMEOUT: "VIGIL_E_COMMAND_RESULT_TIMEOUT",
  /** `vigil central`: a broker could not be reached. */
  BROKER_UNREACHABLE: "VIGIL_E_BROKER_UNREACHABLE",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VigilError";
    this.code = code;
    this.details = options?.details;
  }
}

export function isVigilError(err: unknown, code?: ErrorCode): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}

/** Exit codes of the CLI and daemon (sysexits: 78 is EX_CONFIG, which systemd must not restart). */
export const ExitCodes = { OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 78 } as const;

const CONFIG_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCodes.CONFIG_INVALID,
  ErrorCodes.CONFIG_NOT_FOUND,
  ErrorCodes.CONFIG_PARSE,
  ErrorCodes.SECRET_MISSING,
  ErrorCodes.SECRET_WEAK,
  ErrorCodes.MANIFEST_INVALID,
  ErrorCodes.MODEL_NOT_FOUND,
  ErrorCodes.MODEL_HASH_MISMATCH,
]);

export function exitCodeFor(err: unknown): number {
  return isVigilError(err) && CONFIG_CODES.has(err.code) ? ExitCodes.CONFIG : ExitCodes.FAILURE;
}
