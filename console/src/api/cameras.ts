// The installer's API: cameras, their push keys, zones and rules, probe and detection preview.
import { call } from "./client";
import type { GetOk, Paths, PostOk } from "./types";

type JsonBodyOf<T> = T extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export type ProbeInfo = PostOk<"/v1/cameras/probe">;
export type CameraRules = GetOk<"/v1/cameras/{id}/rules">;
export type ZoneRule = CameraRules["rules"][number];
export type DetectPreview = PostOk<"/v1/cameras/{id}/detect">;
export type Detection = DetectPreview["detections"][number];
export type AddCameraBody = JsonBodyOf<Paths["/v1/cameras"]["post"]>;
export type CameraPatch = JsonBodyOf<Paths["/v1/cameras/{id}"]["patch"]>;
export type Zone = { id: string; name?: string; polygon: Array<[number, number]>; labels?: string[] };

/** `GET /v1/cameras/:id`: the camera's config (no credentials), origin, probe, state. */
export interface CameraView {
  id: string;
  name: string | null;
  /** null: a push-only camera (no stream). */
  url: string | null;
  enabled: boolean;
  origin: "config" | "runtime";
  state?: string;
  probe: ProbeInfo | null;
  zones: Zone[];
  push_auth: string;
  push_client_cert: { fingerprint_sha256?: string; subject?: string } | null;
  has_credentials: boolean;
  substream_url: string | null;
  detect: Record<string, unknown>;
  hwaccel: string;
  motion: Record<string, unknown> | null;
  snapshot: Record<string, unknown> | null;
  last_error?: string | null;
}

export interface ApiKey {
  key_id: string;
  camera_id: string;
  label?: string;
  status: string;
  created_at: string;
  expires_at?: string | null;
  last_used_at?: string | null;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}
const at = (id: string): string => `/v1/cameras/${encodeURIComponent(id)}`;

export const cameraApi = {
  list: () => json<{ cameras: CameraView[] }>("/v1/cameras"),
  get: (id: string) => json<CameraView>(at(id)),
  probe: (url: string, credentials?: string) => json<ProbeInfo>("/v1/cameras/probe", { method: "POST", body: JSON.stringify(credentials ? { url, credentials } : { url }) }),
  add: (body: AddCameraBody) => json<CameraView>("/v1/cameras", { method: "POST", body: JSON.stringify(body) }),
  update: (id: string, patch: CameraPatch) => json<CameraView>(at(id), { method: "PATCH", body: JSON.stringify(patch) }),
  remove: (id: string) => json<{ removed: string; revoked_keys: string[] }>(at(id), { method: "DELETE" }),
  keys: (id: string) => json<{ api_keys: ApiKey[] }>(`${at(id)}/keys`),
  createKey: (id: string, label: string) => json<{ key: string; api_key: ApiKey }>(`${at(id)}/keys`, { method: "POST", body: JSON.stringify(label ? { label } : {}) }),
  revokeKey: (keyId: string) => call(`/v1/keys/${encodeURIComponent(keyId)}`, { method: "DELETE" }),
  rules: (id: string) => json<CameraRules>(`${at(id)}/rules`),
  saveRules: (id: string, rules: ZoneRule[]) => json<CameraRules>(`${at(id)}/rules`, { method: "PUT", body: JSON.stringify({ rules }) }),
  detect: (id: string, jpegBase64?: string) => json<DetectPreview>(`${at(id)}/detect`, { method: "POST", body: JSON.stringify(jpegBase64 ? { jpeg_base64: jpegBase64 } : {}) }),
  snapshot: async (id: string) => URL.createObjectURL(await (await call(`${at(id)}/snapshot.jpg`)).blob()),
};
