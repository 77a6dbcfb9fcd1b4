// The installer's API: cameras, their push keys, zones and rules, probe and detection preview.
import { call } from "./client";
import type { DeleteOk, GetOk, PatchOk, Paths, PostCreated, PostOk } from "./types";

type JsonBodyOf<T> = T extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export type ProbeInfo = PostOk<"/v1/cameras/probe">;
export type CameraRules = GetOk<"/v1/cameras/{id}/rules">;
export type ZoneRule = CameraRules["rules"][number];
export type DetectPreview = PostOk<"/v1/cameras/{id}/detect">;
export type Detection = DetectPreview["detections"][number];
export type AddCameraBody = JsonBodyOf<Paths["/v1/cameras"]["post"]>;
export type CameraPatch = JsonBodyOf<Paths["/v1/cameras/{id}"]["patch"]>;
export type CameraList = GetOk<"/v1/cameras">;
/** `GET /v1/cameras/:id`: the camera's config (no credentials), origin, probe, state. */
export type CameraView = GetOk<"/v1/cameras/{id}">;
export type Zone = CameraView["zones"][number];
export type ApiKeyList = GetOk<"/v1/cameras/{id}/keys">;
export type ApiKey = ApiKeyList["api_keys"][number];
export type CreatedKey = PostCreated<"/v1/cameras/{id}/keys">;
export type CameraRemoved = DeleteOk<"/v1/cameras/{id}">;

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}
const at = (id: string): string => `/v1/cameras/${encodeURIComponent(id)}`;

export const cameraApi = {
  list: () => json<CameraList>("/v1/cameras"),
  get: (id: string) => json<CameraView>(at(id)),
  probe: (url: string, credentials?: string) =>
    json<ProbeInfo>("/v1/cameras/probe", {
      method: "POST",
      body: JSON.stringify(credentials ? { url, credentials } : { url }),
    }),
  add: (body: AddCameraBody) =>
    json<PostCreated<"/v1/cameras">>("/v1/cameras", { method: "POST", body: JSON.stringify(body) }),
  update: (id: string, patch: CameraPatch) =>
    json<PatchOk<"/v1/cameras/{id}">>(at(id), { method: "PATCH", body: JSON.stringify(patch) }),
  remove: (id: string) => json<CameraRemoved>(at(id), { method: "DELETE" }),
  keys: (id: string) => json<ApiKeyList>(`${at(id)}/keys`),
  createKey: (id: string, label: string) =>
    json<CreatedKey>(`${at(id)}/keys`, { method: "POST", body: JSON.stringify(label ? { label } : {}) }),
  revokeKey: (keyId: string) => call(`/v1/keys/${encodeURIComponent(keyId)}`, { method: "DELETE" }),
  rules: (id: string) => json<CameraRules>(`${at(id)}/rules`),
  saveRules: (id: string, rules: ZoneRule[]) =>
    json<CameraRules>(`${at(id)}/rules`, { method: "PUT", body: JSON.stringify({ rules }) }),
  detect: (id: string, jpegBase64?: string) =>
    json<DetectPreview>(`${at(id)}/detect`, {
      method: "POST",
      body: JSON.stringify(jpegBase64 ? { jpeg_base64: jpegBase64 } : {}),
    }),
  snapshot: async (id: string) => URL.createObjectURL(await (await call(`${at(id)}/snapshot.jpg`)).blob()),
};
