import { type Static, Type } from "@sinclair/typebox";
import type { VerifyResult } from "../../audit/chain.js";
import type { AuditEntry } from "../../contract/audit.js";
import type { PublicUser } from "../../auth/user-store.js";
import type { EnrolledPerson } from "../../watchlist/watchlist-service.js";
import type { WatchlistStatus } from "../../watchlist/watchlist-store.js";
import { PersonRecordSchema } from "../../watchlist/person-record.js";
import { RoleSchema, SessionsResponse } from "./auth-schemas.js";
import type { Agree, Assert, Describes } from "./schema-agreement.js";

// Answers of the administrators' and supervisors' routes (users, audit, watchlist), for OpenAPI
// and the console's typed client; each is checked at compile time against what the code returns.

export const UserSchema = Type.Object({
  username: Type.String(),
  role: RoleSchema,
  disabled: Type.Boolean(),
  created_at: Type.String(),
  created_by: Type.String(),
  updated_at: Type.String(),
  password_changed_at: Type.String(),
});
export type UserAgreement = Assert<Agree<Static<typeof UserSchema>, PublicUser>>;
export const UsersResponse = Type.Object({ users: Type.Array(UserSchema) });
export { SessionsResponse as UserSessionsResponse };

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  ts: Type.String(),
  actor: Type.String(),
  source: Type.Optional(Type.String()),
  action: Type.String(),
  target: Type.String(),
  result: Type.Union([Type.Literal("ok"), Type.Literal("denied"), Type.Literal("error")]),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  prev_mac: Type.String(),
  mac: Type.String(),
});
export type AuditEntryAgreement = Describes<Static<typeof AuditEntrySchema>, AuditEntry>;

export const AuditPageResponse = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  next_after_seq: Type.Union([Type.Integer(), Type.Null()], {
    description: "Pass as `after_seq` for the next page; null: no entries on this one.",
  }),
  head_seq: Type.Integer(),
});

export const AuditVerifyResponse = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  lastSeq: Type.Integer(),
  fromSeq: Type.Optional(Type.Integer()),
  firstBad: Type.Optional(
    Type.Object({
      seq: Type.Integer(),
      reason: Type.Union(
        ["mac_mismatch", "prev_mismatch", "gap", "out_of_order", "malformed"].map((r) => Type.Literal(r)),
      ),
    }),
  ),
});
export type AuditVerifyAgreement = Describes<Static<typeof AuditVerifyResponse>, VerifyResult>;

export const WatchlistStatusSchema = Type.Object({
  available: Type.Boolean(),
  reason: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  persons: Type.Integer(),
  embeddings: Type.Integer(),
  key_id: Type.Union([Type.String(), Type.Null()]),
});
export type WatchlistStatusAgreement = Assert<Agree<Static<typeof WatchlistStatusSchema>, WatchlistStatus>>;

export const WatchlistResponse = Type.Object({
  persons: Type.Array(PersonRecordSchema),
  status: WatchlistStatusSchema,
});

export const EnrolledResponse = Type.Object({
  person: PersonRecordSchema,
  photos: Type.Array(Type.Object({ index: Type.Integer(), score: Type.Number(), face_px: Type.Number() }), {
    description: "Per photo: the detector's score for its one face, and its width in pixels.",
  }),
});
export type EnrolledAgreement = Assert<Agree<Static<typeof EnrolledResponse>, EnrolledPerson>>;
