import { redactUrlCredentials } from "../core/logger.js";
import type { RegisteredCamera } from "./camera-registry-rules.js";

/** A camera as the API and CLI show it: its config without credentials, where it comes from, and its probe. */
export interface RegisteredCameraView {
  readonly id: string;
  readonly name: string | null;
  /** null: a push-only camera (no stream). */
  readonly url: string | null;
  readonly enabled: boolean;
  readonly detect: RegisteredCamera["camera"]["detect"];
  /** The detection substream, when the camera has one; `url` then only feeds snapshots. */
  readonly substream_url: string | null;
  readonly hwaccel: string;
  readonly motion: RegisteredCamera["camera"]["motion"] | null;
  readonly snapshot: RegisteredCamera["camera"]["snapshot"] | null;
  readonly zones: NonNullable<RegisteredCamera["camera"]["zones"]>;
  readonly push_auth: string;
  /** The client certificate bound to the camera; null: a site-CA certificate whose CN is the camera id. */
  readonly push_client_cert: NonNullable<RegisteredCamera["camera"]["push"]["client_cert"]> | null;
  readonly has_credentials: boolean;
  /** `config`: read-only here, change it in the config file; `runtime`: added through the API or CLI. */
  readonly origin: RegisteredCamera["origin"];
  readonly probe: RegisteredCamera["probe"];
}

export function registeredCameraView(c: RegisteredCamera): RegisteredCameraView {
  const { camera } = c;
  return {
    id: camera.id,
    name: camera.name ?? null,
    url: camera.url === undefined ? null : redactUrlCredentials(camera.url),
    enabled: camera.enabled,
    detect: camera.detect,
    // Refused at add and at load; redacted anyway, for a record stored before that.
    substream_url: camera.substream_url === undefined ? null : redactUrlCredentials(camera.substream_url),
    hwaccel: camera.hwaccel ?? "none",
    motion: camera.motion ?? null,
    snapshot: camera.snapshot ?? null,
    zones: camera.zones ?? [],
    push_auth: camera.push.auth,
    push_client_cert: camera.push.client_cert ?? null,
    has_credentials: camera.credentials_file !== undefined,
    origin: c.origin,
    probe: c.probe,
  };
}
