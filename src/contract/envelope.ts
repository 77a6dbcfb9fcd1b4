/**
 * The uplink envelope (DESIGN.md, "MQTT contract"). Consumers dedupe by `id` and detect loss by
 * `seq`, so both are assigned once, when the message enters the durable outbox, never at send time.
 */
export const STREAMS = ["incidents", "audit", "alerts"] as const;
export type StreamName = (typeof STREAMS)[number];

export interface Envelope<T = unknown> {
  readonly id: string;
  readonly stream: StreamName;
  readonly seq: number;
  readonly ts: string;
  readonly site: string;
  readonly gateway: string;
  readonly type: string;
  readonly data: T;
}

export function makeEnvelope<T>(fields: {
  id: string;
  stream: StreamName;
  seq: number;
  ts: Date;
  site: string;
  gateway: string;
  type: string;
  data: T;
}): Envelope<T> {
  if (!Number.isSafeInteger(fields.seq) || fields.seq < 1)
    throw new RangeError(`seq must be a positive integer, got ${fields.seq}`);
  return {
    id: fields.id,
    stream: fields.stream,
    seq: fields.seq,
    ts: fields.ts.toISOString(),
    site: fields.site,
    gateway: fields.gateway,
    type: fields.type,
    data: fields.data,
  };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Structural check used by tests and by anyone consuming envelopes off the wire. */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    v.id.length > 0 &&
    typeof v.stream === "string" &&
    (STREAMS as readonly string[]).includes(v.stream) &&
    typeof v.seq === "number" &&
    Number.isSafeInteger(v.seq) &&
    v.seq >= 1 &&
    typeof v.ts === "string" &&
    ISO_UTC.test(v.ts) &&
    typeof v.site === "string" &&
    typeof v.gateway === "string" &&
    typeof v.type === "string" &&
    "data" in v
  );
}
