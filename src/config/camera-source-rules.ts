import { resolve, sep } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { OPTIONAL_SECRETS, REQUIRED_SECRETS, type VigilConfig, WATCHLIST_RETIRED_KEYS_FILE } from "./schema.js";

/**
 * What a camera may point the daemon at. A camera's URL is where its ffmpeg connects, and its
 * `credentials_file` is a file the daemon reads and sends to that URL as userinfo: whoever can set
 * them (an admin, or a stolen admin token) must not reach the daemon's own keys or the box's files.
 */
export interface CameraSourcePolicy {
  /** `file://` URLs read the box's own files: only when `ingest.allow_file_urls` says so. */
  readonly allowFileUrls: boolean;
  /** secrets_dir, absolute: a credentials file must stay inside it. */
  readonly secretsDir: string;
  /** Names of the daemon's own secrets in secrets_dir; never a camera's credentials. */
  readonly reservedNames: ReadonlySet<string>;
}

/** A credentials file is a plain name in secrets_dir: no path, no leading dot. */
export const CREDENTIALS_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*@/i;

/** The daemon's own secret files, from the config (the metrics token's name is configurable). */
export function reservedSecretNames(config: Pick<VigilConfig, "metrics">): ReadonlySet<string> {
  return new Set<string>([
    ...REQUIRED_SECRETS,
    ...OPTIONAL_SECRETS,
    WATCHLIST_RETIRED_KEYS_FILE,
    config.metrics.token_file,
  ]);
}

export function cameraSourcePolicy(
  config: Pick<VigilConfig, "metrics" | "secrets_dir" | "ingest">,
): CameraSourcePolicy {
  return {
    allowFileUrls: config.ingest.allow_file_urls,
    secretsDir: resolve(config.secrets_dir),
    reservedNames: reservedSecretNames(config),
  };
}

export interface SourceProblem {
  /** The camera's field, as a JSON pointer below the camera (`/credentials_file`). */
  readonly field: string;
  readonly message: string;
}

/** Why a credentials file name is refused, or undefined. Pure. */
export function credentialsFileProblem(name: string, policy: CameraSourcePolicy): string | undefined {
  if (!CREDENTIALS_FILE_NAME.test(name))
    return "must be a plain file name in secrets_dir (letters, digits, . _ -; no path)";
  if (policy.reservedNames.has(name))
    return "names one of the daemon's own secrets; camera credentials need a file of their own";
  const path = resolve(policy.secretsDir, name);
  if (!path.startsWith(policy.secretsDir + sep)) return "must stay inside secrets_dir";
  return undefined;
}

/** Why a stream URL is refused, or undefined. Pure. */
export function streamUrlProblem(url: string, policy: Pick<CameraSourcePolicy, "allowFileUrls">): string | undefined {
  if (URL_USERINFO.test(url)) return "must not carry credentials; give them as credentials or credentials_file";
  if (/^file:/i.test(url) && !policy.allowFileUrls)
    return "file:// URLs read the box's own files and are refused unless ingest.allow_file_urls is set";
  return undefined;
}

/** The first problem with a camera's URLs and credentials file, or undefined. Pure. */
export function cameraSourceProblem(
  camera: {
    readonly url?: string | undefined;
    readonly substream_url?: string | undefined;
    readonly credentials_file?: string | undefined;
  },
  policy: CameraSourcePolicy,
): SourceProblem | undefined {
  if (camera.substream_url !== undefined && camera.url === undefined)
    return {
      field: "/url",
      message: "a camera with a substream_url needs its main stream url too (leave both out for a push-only camera)",
    };
  for (const field of ["url", "substream_url"] as const) {
    const url = camera[field];
    const problem = url === undefined ? undefined : streamUrlProblem(url, policy);
    if (problem) return { field: `/${field}`, message: problem };
  }
  const file = camera.credentials_file;
  const problem = file === undefined ? undefined : credentialsFileProblem(file, policy);
  return problem ? { field: "/credentials_file", message: problem } : undefined;
}

/** Throws VIGIL_E_CAMERA_SOURCE_REFUSED naming the field, for the API and CLI. */
export function assertCameraSource(
  camera: Parameters<typeof cameraSourceProblem>[0],
  policy: CameraSourcePolicy,
): void {
  const problem = cameraSourceProblem(camera, policy);
  if (problem)
    throw new VigilError(ErrorCodes.CAMERA_SOURCE_REFUSED, `${problem.field}: ${problem.message}`, {
      details: { field: problem.field },
    });
}
