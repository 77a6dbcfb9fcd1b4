// Types of the API as the daemon documents it (docs/openapi.json, generated into openapi.gen.ts
// at build time): a route that changes shape breaks this build, not the operator's shift.
import type { paths } from "./openapi.gen";

type Json200<T> = T extends { responses: { 200: { content: { "application/json": infer B } } } } ? B : never;
type Json201<T> = T extends { responses: { 201: { content: { "application/json": infer B } } } } ? B : never;
type JsonBody<T> = T extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

export type Paths = paths;
export type GetOk<P extends keyof paths> = paths[P] extends { get: infer G } ? Json200<G> : never;
export type PostOk<P extends keyof paths> = paths[P] extends { post: infer G } ? Json200<G> : never;
export type PostCreated<P extends keyof paths> = paths[P] extends { post: infer G } ? Json201<G> : never;
export type PatchOk<P extends keyof paths> = paths[P] extends { patch: infer G } ? Json200<G> : never;
export type DeleteOk<P extends keyof paths> = paths[P] extends { delete: infer G } ? Json200<G> : never;
export type PostBody<P extends keyof paths> = paths[P] extends { post: infer G } ? JsonBody<G> : never;

export type Incident = GetOk<"/v1/incidents/{id}">;
export type IncidentPage = GetOk<"/v1/incidents">;
export type IncidentStatus = Incident["status"];
export type KpiSummary = GetOk<"/v1/metrics/summary">;
export type Me = GetOk<"/v1/auth/me">;
export type Session = GetOk<"/v1/auth/sessions">["sessions"][number];
export type Settings = GetOk<"/v1/settings">;
export type Tokens = PostOk<"/v1/auth/login">;
export type DecisionBody = PostBody<"/v1/incidents/{id}/decision">;
export type ApproveBody = PostBody<"/v1/incidents/{id}/approve">;

export const STATUSES: readonly IncidentStatus[] = [
  "open",
  "monitoring",
  "escalated",
  "dispatch_pending_review",
  "dispatch_authorized",
  "dismissed",
  "closed",
];

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}
