import { type TSchema, Type } from "@sinclair/typebox";
import { STREAMS } from "./envelope.js";

/** Building blocks of the uplink schemas (schemas.ts), and the envelope every stream shares. */

export const SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#";
export const idFor = (name: string): string => `urn:vigil:schema:${name}:1`;

export const FORWARD_COMPATIBLE = "Unknown fields may appear in later versions and must be ignored.";

/** What `Date.prototype.toISOString()` writes (and what `isEnvelope` accepts): UTC, `Z` suffix. */
export const IsoUtc = (description: string) =>
  Type.String({
    pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$",
    description: `${description} ISO 8601, UTC (\`Z\`).`,
  });

/** `site`, `gateway` and camera ids: what the config schema allows for them. */
export const ConfigId = (description: string) =>
  Type.String({
    pattern: "^[a-z0-9_-]{1,64}$",
    description: `${description} Lower-case letters, digits, _ and -, at most 64.`,
  });

export const Mac = (description: string) =>
  Type.String({ pattern: "^[0-9a-f]{64}$", description: `${description} HMAC-SHA256, 64 lower-case hex digits.` });

export const Probability = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

// ---------------------------------------------------------------------------------------------
// Envelope

/** The envelope's properties in wire order, with the schemas of `stream`, `type` and `data` given. */
export function envelopeProperties<S extends TSchema, T extends TSchema, D extends TSchema>(
  stream: S,
  type: T,
  data: D,
) {
  return {
    id: Type.String({
      minLength: 1,
      description: "Unique per message and stable across retries (a UUID today): consumers dedupe on it.",
    }),
    stream,
    seq: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "Per stream, from 1, +1 per message, no gaps, survives gateway restarts. A repeat is a duplicate (dedupe by id); a jump is loss.",
    }),
    ts: IsoUtc("When the message entered the gateway's durable outbox (not when it was sent)."),
    site: ConfigId("The gateway's site (config `site`), as in the topic."),
    gateway: ConfigId("The gateway (config `gateway`), as in the topic."),
    type,
    data,
  };
}

export const StreamSchema = Type.Union(
  STREAMS.map((s) => Type.Literal(s)),
  { description: "The stream (and topic level) the message belongs to; `seq` counts per stream." },
);

export const EnvelopeSchema = Type.Object(
  envelopeProperties(
    StreamSchema,
    Type.String({
      minLength: 1,
      description:
        "Dotted message type, e.g. `incident.created`; it decides the shape of `data`. Ignore types you do not know.",
    }),
    Type.Unknown({ description: "The payload; its shape depends on `type`." }),
  ),
  {
    $schema: SCHEMA_DIALECT,
    $id: idFor("envelope"),
    title: "Vigil uplink envelope",
    description:
      "Every message on <base>/incidents, <base>/audit and <base>/alerts. Delivery is MQTT QoS 1 from a durable outbox: at-least-once, in order per stream. " +
      "Dedupe by `id`, detect loss by `seq`. " +
      FORWARD_COMPATIBLE,
    additionalProperties: true,
  },
);
