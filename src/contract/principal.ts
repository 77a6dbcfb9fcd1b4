import type { Role } from "./roles.js";

/** An operator proven by an access token. The role is the user's current one, not the token's. */
export interface UserPrincipal {
  readonly kind: "user";
  readonly username: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly tokenId: string;
  /** Access-token expiry (epoch seconds): how long a revocation of this token must be kept. */
  readonly tokenExpiresAt: number;
}

/** A push camera proven by an API key and/or a client certificate, bound to one camera id. */
export interface CameraPrincipal {
  readonly kind: "camera";
  readonly cameraId: string;
  readonly apiKeyId?: string | undefined;
  readonly certFingerprint?: string | undefined;
}

export type Principal = UserPrincipal | CameraPrincipal;
