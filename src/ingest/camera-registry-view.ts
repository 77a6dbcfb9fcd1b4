import type { RegisteredCamera } from "./camera-registry-rules.js";

/** A camera as the API and CLI show it: its config without credentials, where it comes from, and its probe. */
export interface RegisteredCameraView {
  readonly id: string;
  readonly name: string | null;
  readonly url: string;
  readonly enabled: boolean;
  readonly detect: RegisteredCamera["camera"]["detect"];
  readonly push_auth: string;
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
    url: camera.url,
    enabled: camera.enabled,
    detect: camera.detect,
    push_auth: camera.push.auth,
    has_credentials: camera.credentials_file !== undefined,
    origin: c.origin,
    probe: c.probe,
  };
}
