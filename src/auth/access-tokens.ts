import { randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { isRole, type Role } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { TokenKeyRing } from "./token-keyring.js";

/** The one algorithm accepted: HMAC keys from the ring. Pinned, so `none` and RS/HS confusion cannot work. */
export const ACCESS_TOKEN_ALG = "HS256";
const ACCESS_TOKEN_TYP = "at+jwt";

export interface AccessTokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly sid: string;
  readonly jti: string;
  readonly exp: number;
  readonly iat: number;
}

export interface AccessTokenOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly ttlS: number;
}

/** Every reason a token is refused, for the audit trail; callers answer 401 the same way for all. */
export type TokenRefusal = "malformed" | "bad_signature" | "unknown_key" | "expired" | "claims";

export class AccessTokens {
  constructor(
    private readonly ring: TokenKeyRing,
    private readonly options: AccessTokenOptions,
  ) {}

  get ttlS(): number {
    return this.options.ttlS;
  }

  async issue(
    subject: { username: string; role: Role; sessionId: string },
    nowMs: number,
  ): Promise<{ token: string; claims: AccessTokenClaims }> {
    const key = this.ring.current;
    const iat = Math.floor(nowMs / 1000);
    const claims: AccessTokenClaims = {
      sub: subject.username,
      role: subject.role,
      sid: subject.sessionId,
      jti: randomBytes(16).toString("hex"),
      iat,
      exp: iat + this.options.ttlS,
    };
    const token = await new SignJWT({ role: claims.role, sid: claims.sid })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: ACCESS_TOKEN_TYP })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .sign(key.cryptoKey);
    return { token, claims };
  }

  /** The claims of a valid token, or the reason it is refused. */
  async verify(
    token: string,
    nowMs: number,
  ): Promise<{ ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenRefusal }> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = this.ring.find(header.kid);
          if (!key) throw new VigilError(ErrorCodes.UNAUTHENTICATED, "unknown key");
          return key.cryptoKey;
        },
        {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer: this.options.issuer,
          audience: this.options.audience,
          typ: ACCESS_TOKEN_TYP,
          currentDate: new Date(nowMs),
          requiredClaims: ["sub", "jti", "exp", "iat", "sid", "role"],
        },
      );
      const { sub, jti, exp, iat, sid, role } = payload;
      if (
        typeof sub !== "string" ||
        typeof jti !== "string" ||
        typeof exp !== "number" ||
        typeof iat !== "number" ||
        typeof sid !== "string" ||
        !isRole(role)
      ) {
        return { ok: false, reason: "claims" };
      }
      return { ok: true, claims: { sub, jti, exp, iat, sid, role } };
    } catch (err) {
      return { ok: false, reason: refusalOf(err) };
    }
  }
}

function refusalOf(err: unknown): TokenRefusal {
  if (err instanceof VigilError) return "unknown_key";
  if (err instanceof errors.JWTExpired) return "expired";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (err instanceof errors.JWTClaimValidationFailed) return "claims";
  return "malformed";
}
