import { type Static, Type } from "@sinclair/typebox";
import { ApiKeyRecordSchema } from "../../auth/api-keys/api-key-record.js";
import type { CreatedApiKey } from "../../auth/api-keys/api-key-service.js";
import type { LiveTicket } from "../../auth/live-tickets.js";
import { ZoneSchema } from "../../config/camera-schema.js";
import { ProbeInfoSchema } from "../../ingest/camera-probe-result.js";
import type { RegisteredCameraView } from "../../ingest/camera-registry-view.js";
import { CameraHealthSchema } from "./health-responses.js";
import type { Agree, Assert, Describes } from "./schema-agreement.js";

// Answers of the camera routes (`/v1/cameras`, keys, live ticket), for OpenAPI and the console's
// typed client. A camera's config sections (detect, motion, snapshot) are open objects: they are
// the config file's own sections (docs/configuration.md) and pass through whole.

const open = { additionalProperties: true } as const;
const Section = (description: string) => Type.Object({}, { ...open, description });
const NullableString = Type.Union([Type.String(), Type.Null()]);

const RegisteredViewProperties = {
  id: Type.String(),
  name: NullableString,
  url: Type.Union([Type.String(), Type.Null()], {
    description: "Without credentials; null: a push-only camera (no stream).",
  }),
  enabled: Type.Boolean(),
  detect: Section("The camera's `detect` section."),
  substream_url: NullableString,
  hwaccel: Type.String(),
  motion: Type.Union([Section("The camera's `motion` section."), Type.Null()]),
  snapshot: Type.Union([Section("The camera's `snapshot` section."), Type.Null()]),
  zones: Type.Array(ZoneSchema),
  push_auth: Type.String(),
  push_client_cert: Type.Union(
    [
      Type.Object(
        { fingerprint_sha256: Type.Optional(Type.String()), subject: Type.Optional(Type.String()) },
        { description: "The client certificate bound to the camera." },
      ),
      Type.Null(),
    ],
    { description: "null: a site-CA certificate whose CN is the camera id." },
  ),
  has_credentials: Type.Boolean(),
  origin: Type.Union([Type.Literal("config"), Type.Literal("runtime")], {
    description: "`config`: read-only here, change it in the config file; `runtime`: added through the API or CLI.",
  }),
  probe: Type.Union([ProbeInfoSchema, Type.Null()]),
};
// The view's sections are typed from the optional config sections, but its builder answers null for each absent one.
type Present<T> = { readonly [K in keyof T]: Exclude<T[K], undefined> };
export type RegisteredViewAgreement = Describes<
  Static<ReturnType<typeof Type.Object<typeof RegisteredViewProperties>>>,
  Present<RegisteredCameraView>
>;

/** A camera as `GET /v1/cameras` shows it: its config without credentials, origin, probe, and its live health. */
// `state` is the camera's health state while it runs; other words (the CLI's "not running") may stand there.
export const CameraViewSchema = Type.Object(
  {
    ...RegisteredViewProperties,
    ...Type.Partial(CameraHealthSchema).properties,
    state: Type.Optional(
      Type.String({
        description:
          "starting, online, stalled, backoff, offline, disabled; absent or another word when the camera is not running.",
      }),
    ),
  },
  open,
);
export const CameraListResponse = Type.Object({ cameras: Type.Array(CameraViewSchema) });
export const CameraRemovedResponse = Type.Object({
  removed: Type.String(),
  revoked_keys: Type.Array(Type.String({ description: "key id" })),
});

export const PublicApiKeySchema = Type.Omit(ApiKeyRecordSchema, ["digest"]);
export const ApiKeyListResponse = Type.Object({ api_keys: Type.Array(PublicApiKeySchema) });
export const CreatedApiKeyResponse = Type.Object({
  key: Type.String({ description: "The secret, shown this once." }),
  api_key: PublicApiKeySchema,
});
export type CreatedKeyAgreement = Assert<Agree<Static<typeof CreatedApiKeyResponse>, CreatedApiKey>>;

export const LiveTicketResponse = Type.Object({
  ticket: Type.String(),
  expires_in: Type.Integer({ description: "Seconds." }),
  url: Type.String({ description: "The live-view WebSocket's path." }),
  protocols: Type.Array(Type.String(), {
    description: "WebSocket subprotocols to offer: the ticket goes as `ticket.<ticket>`, never in the URL.",
  }),
});
export type LiveTicketAgreement = Describes<
  Static<typeof LiveTicketResponse>,
  LiveTicket & { url: string; protocols: string[] }
>;
