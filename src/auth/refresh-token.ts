import { createHash, randomBytes } from "node:crypto";

/** `vr_<session id>_<secret>`: the session id finds the family, the secret proves possession. */
const REFRESH_PATTERN = /^vr_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export interface ParsedRefreshToken {
  readonly sessionId: string;
  readonly digest: string;
}

export function newSessionId(): string {
  return randomBytes(12).toString("hex");
}

export function newRefreshToken(sessionId: string): { token: string; digest: string } {
  const token = `vr_${sessionId}_${randomBytes(32).toString("base64url")}`;
  return { token, digest: refreshDigest(token) };
}

export function refreshDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function parseRefreshToken(token: string): ParsedRefreshToken | undefined {
  const m = REFRESH_PATTERN.exec(token);
  if (!m?.[1]) return undefined;
  return { sessionId: m[1], digest: refreshDigest(token) };
}
