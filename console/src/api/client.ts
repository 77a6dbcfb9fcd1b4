import { ApiError } from "./errors";
import { currentToken, errorOf, refresh } from "./session";
import type { GetOk, ApproveBody, DecisionBody, Incident, IncidentPage, KpiSummary, Session, Settings } from "./types";

/** Called when the session cannot be renewed: the app sends the user to login, then back. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** One authenticated call: a 401 gets one refresh and one retry, then the login page. */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = (): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${currentToken() ?? ""}`);
    if (init.body !== undefined && typeof init.body === "string") headers.set("content-type", "application/json");
    return fetch(path, { ...init, headers });
  };
  let res = await attempt();
  if (res.status === 401 && (await refresh())) res = await attempt();
  if (res.status === 401) onSignedOut();
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}

export interface IncidentFilters {
  status?: string;
  camera?: string;
  rule?: string;
  zone?: string;
  since?: string;
  until?: string;
}

export const api = {
  settings: () => json<Settings>("/v1/settings"),
  incidents: (filters: IncidentFilters, cursor?: string, limit = 500) => {
    const q = new URLSearchParams({ limit: String(limit) });
    for (const k of ["status", "camera", "rule", "zone", "since", "until"] as const) {
      const v = filters[k];
      if (v) q.set(k, k === "since" || k === "until" ? new Date(v).toISOString() : v);
    }
    if (cursor) q.set("cursor", cursor);
    return json<IncidentPage>(`/v1/incidents?${q}`);
  },
  incident: (id: string) => json<Incident>(`/v1/incidents/${encodeURIComponent(id)}`),
  decide: (id: string, body: DecisionBody) =>
    json<Incident>(`/v1/incidents/${encodeURIComponent(id)}/decision`, { method: "POST", body: JSON.stringify(body) }),
  approve: (id: string, body: ApproveBody) =>
    json<Incident>(`/v1/incidents/${encodeURIComponent(id)}/approve`, { method: "POST", body: JSON.stringify(body) }),
  summary: (range: "7d" | "30d" | "all") => json<KpiSummary>(`/v1/metrics/summary?range=${range}`),
  weekly: () => json<GetOk<"/v1/metrics/weekly">>("/v1/metrics/weekly?weeks=8"),
  camera: (id: string) => json<GetOk<"/v1/cameras/{id}">>(`/v1/cameras/${encodeURIComponent(id)}`),
  snapshot: async (id: string, n: number) =>
    URL.createObjectURL(await (await call(`/v1/incidents/${encodeURIComponent(id)}/snapshots/${n}`)).blob()),
  clip: async (id: string, n: number) =>
    URL.createObjectURL(await (await call(`/v1/incidents/${encodeURIComponent(id)}/clips/${n}`)).blob()),
  sessions: () => json<{ sessions: Session[] }>("/v1/auth/sessions"),
  endSession: (id: string) => call(`/v1/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE" }),
  endAllSessions: () => call("/v1/auth/sessions", { method: "DELETE" }),
  changePassword: (current_password: string, new_password: string) =>
    call("/v1/auth/change-password", { method: "POST", body: JSON.stringify({ current_password, new_password }) }),
};

export { ApiError };
