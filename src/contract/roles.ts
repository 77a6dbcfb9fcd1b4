/** Operator roles, each including the ones before it (DESIGN.md, HTTP contract). */
export const ROLES = ["viewer", "operator", "supervisor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `held` includes `needed` (admin includes supervisor includes operator includes viewer). */
export function roleIncludes(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/**
 * What a route demands of its caller. Every route declares one; the server refuses to register a
 * route without it, so "forgot to protect it" cannot happen. `public` is the explicit exception
 * (health probes, login); `camera` is a push camera proven by API key and/or client certificate.
 */
export type RouteAccess =
  | { readonly kind: "public" }
  | { readonly kind: "role"; readonly role: Role }
  | { readonly kind: "camera"; readonly scope: CameraScope };

export const CAMERA_SCOPES = ["frames:write", "events:write"] as const;
export type CameraScope = (typeof CAMERA_SCOPES)[number];
