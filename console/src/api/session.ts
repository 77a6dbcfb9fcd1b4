import type { Role } from "../../../src/contract/roles";
import { ApiError } from "./errors";
import type { Me, Tokens } from "./types";

/**
 * The signed-in user. The access token lives in this module's memory only (never in storage);
 * the refresh token is the daemon's HttpOnly cookie, which script cannot read. A reload resumes
 * from the cookie; the token is refreshed at three quarters of its life.
 */
export interface SessionState {
  readonly me: (Me & { role: Role }) | undefined;
  /** False until the first attempt to resume from the cookie has finished. */
  readonly ready: boolean;
}

let state: SessionState = { me: undefined, ready: false };
let accessToken: string | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<(s: SessionState) => void>();

export function sessionState(): SessionState {
  return state;
}

export function onSession(listener: (s: SessionState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(next: SessionState): void {
  state = next;
  for (const l of [...listeners]) l(state);
}

export function currentToken(): string | undefined {
  return accessToken;
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  const retry = Number(res.headers.get("retry-after"));
  return new ApiError(
    res.status,
    body.error?.code ?? `HTTP_${res.status}`,
    body.error?.message ?? res.statusText,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

async function fetchMe(): Promise<Me> {
  const res = await fetch("/v1/auth/me", { headers: { authorization: `Bearer ${accessToken ?? ""}` } });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Me;
}

function accept(tokens: Tokens): void {
  accessToken = tokens.access_token;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(), Math.max(2, tokens.expires_in * 0.75) * 1000);
}

async function authCall(path: string, body: unknown): Promise<Tokens> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-vigil-refresh": "cookie" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Tokens;
}

export async function login(username: string, password: string): Promise<void> {
  accept(await authCall("/v1/auth/login", { username, password }));
  set({ me: await fetchMe(), ready: true });
}

/** A new access token from the cookie; false (and signed out) when the session is over. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      accept(await authCall("/v1/auth/refresh", {}));
      if (!state.me) set({ me: await fetchMe(), ready: true });
      return true;
    } catch {
      signedOut();
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

export function signedOut(): void {
  accessToken = undefined;
  clearTimeout(refreshTimer);
  set({ me: undefined, ready: true });
}

export async function logout(): Promise<void> {
  try {
    await fetch("/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${accessToken ?? ""}` } });
  } finally {
    signedOut();
  }
}

export { errorOf };
