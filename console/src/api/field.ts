// The field techs' and administrators' calls (health, live view, users, audit, watchlist),
// beside the operators' client so both grow without touching each other.
import { call } from "./client";
import type { GetOk, PatchOk, PostBody, PostCreated, PostOk } from "./types";

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}
const seg = encodeURIComponent;

// Every shape below comes from the daemon's OpenAPI document (each route's response schema).
export type HealthDocument = GetOk<"/v1/health">;
export type CameraHealth = HealthDocument["cameras"][string];
export type CameraState = CameraHealth["state"];
export type ProviderList = GetOk<"/v1/providers">;
export type ProviderHealth = ProviderList["providers"][number];
export type UserList = GetOk<"/v1/users">;
export type User = UserList["users"][number];
export type UserSessions = GetOk<"/v1/users/{username}/sessions">;
export type UserSession = UserSessions["sessions"][number];
export type AuditPage = GetOk<"/v1/audit">;
export type AuditEntry = AuditPage["entries"][number];
export type AuditVerify = GetOk<"/v1/audit/verify">;
export type Watchlist = GetOk<"/v1/watchlist">;
export type Person = Watchlist["persons"][number];
export type Enrolled = PostCreated<"/v1/watchlist">;

export type EnrollBody = PostBody<"/v1/watchlist">;
export type FacePreview = PostOk<"/v1/watchlist/face-preview">;
export type LiveTicket = PostCreated<"/v1/cameras/{id}/live-ticket">;
export interface AuditFilters {
  readonly action?: string;
  readonly actor?: string;
  readonly since?: string;
  readonly until?: string;
}

export const fieldApi = {
  health: () => json<HealthDocument>("/v1/health"),
  providers: (state?: ProviderHealth["state"]) => json<ProviderList>(`/v1/providers${state ? `?state=${state}` : ""}`),
  cameraSnapshot: async (id: string) =>
    URL.createObjectURL(await (await call(`/v1/cameras/${seg(id)}/snapshot.jpg`)).blob()),
  liveTicket: (id: string) => json<LiveTicket>(`/v1/cameras/${seg(id)}/live-ticket`, { method: "POST" }),
  supportBundle: async () => (await call("/v1/diagnose", { method: "POST" })).blob(),
  users: () => json<UserList>("/v1/users"),
  addUser: (username: string, role: User["role"], password: string) =>
    json<PostCreated<"/v1/users">>("/v1/users", { method: "POST", body: JSON.stringify({ username, role, password }) }),
  setDisabled: (username: string, disabled: boolean) =>
    json<PatchOk<"/v1/users/{username}">>(`/v1/users/${seg(username)}`, {
      method: "PATCH",
      body: JSON.stringify({ disabled }),
    }),
  resetPassword: (username: string, password: string) =>
    call(`/v1/users/${seg(username)}/password`, { method: "POST", body: JSON.stringify({ password }) }),
  userSessions: (username: string) => json<UserSessions>(`/v1/users/${seg(username)}/sessions`),
  endUserSessions: (username: string) => call(`/v1/users/${seg(username)}/sessions`, { method: "DELETE" }),
  audit: (filters: AuditFilters, afterSeq?: number, limit = 50) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const k of ["action", "actor", "since", "until"] as const) {
      const v = filters[k];
      if (v) q.set(k, k === "since" || k === "until" ? new Date(v).toISOString() : v);
    }
    if (afterSeq !== undefined) q.set("after_seq", String(afterSeq));
    return json<AuditPage>(`/v1/audit?${q}`);
  },
  verifyAudit: () => json<AuditVerify>("/v1/audit/verify"),
  watchlist: () => json<Watchlist>("/v1/watchlist"),
  enrol: (body: EnrollBody) => json<Enrolled>("/v1/watchlist", { method: "POST", body: JSON.stringify(body) }),
  facePreview: (photo: string) =>
    json<FacePreview>("/v1/watchlist/face-preview", { method: "POST", body: JSON.stringify({ photo }) }),
  deletePerson: (id: string) => call(`/v1/watchlist/${seg(id)}`, { method: "DELETE" }),
};
