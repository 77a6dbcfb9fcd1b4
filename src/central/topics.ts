import { STREAMS, type StreamName } from "../contract/envelope.js";

/**
 * Central's side of the topic contract (`<prefix>/<site>/<gateway>/<stream>`): which filters a
 * consumer subscribes to, and what a received topic names. Partitions are `<site>/<gateway>`
 * patterns with MQTT wildcards, so brokers without shared subscriptions (NATS) can still split a
 * fleet across consumers by topic; with MQTT 5 each filter is wrapped in `$share/<group>/`.
 */

const LEVEL = /^[a-z0-9_-]{1,64}$/;
const PATTERN_LEVEL = /^([a-z0-9_-]{1,64}|\+)$/;

export function isPartition(pattern: string): boolean {
  const parts = pattern.split("/");
  return parts.length === 2 && parts.every((p) => PATTERN_LEVEL.test(p));
}

export function consumerFilters(opts: {
  prefix: string;
  partitions: readonly string[];
  streams: readonly StreamName[];
  group?: string | undefined;
}): string[] {
  const prefix = opts.prefix.replace(/\/+$/, "");
  const filters: string[] = [];
  for (const partition of opts.partitions) {
    if (!isPartition(partition))
      throw new RangeError(`partition must be <site>/<gateway> with + wildcards, got ${JSON.stringify(partition)}`);
    for (const stream of opts.streams) {
      const filter = `${prefix}/${partition}/${stream}`;
      filters.push(opts.group === undefined ? filter : `$share/${opts.group}/${filter}`);
    }
  }
  return filters;
}

export interface StreamTopic {
  readonly site: string;
  readonly gateway: string;
  readonly stream: StreamName;
}

/** What an envelope topic names, or undefined for any other topic. */
export function parseStreamTopic(prefix: string, topic: string): StreamTopic | undefined {
  const head = `${prefix.replace(/\/+$/, "")}/`;
  if (!topic.startsWith(head)) return undefined;
  const [site, gateway, stream, ...rest] = topic.slice(head.length).split("/");
  if (rest.length > 0 || site === undefined || gateway === undefined || stream === undefined) return undefined;
  if (!LEVEL.test(site) || !LEVEL.test(gateway) || !(STREAMS as readonly string[]).includes(stream)) return undefined;
  return { site, gateway, stream: stream as StreamName };
}

/** The state key of one stream: `<site>/<gateway>/<stream>`. */
export function streamKey(t: StreamTopic): string {
  return `${t.site}/${t.gateway}/${t.stream}`;
}
