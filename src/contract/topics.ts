import type { StreamName } from "./envelope.js";

/** `<prefix>/<site>/<gateway>`; the prefix may itself contain levels (`vigil/<org>`) for tenancy. */
export function baseTopic(prefix: string, site: string, gateway: string): string {
  return `${prefix.replace(/\/+$/, "")}/${site}/${gateway}`;
}

export interface GatewayTopics {
  readonly base: string;
  readonly status: string;
  readonly health: string;
  stream(stream: StreamName): string;
}

export function gatewayTopics(prefix: string, site: string, gateway: string): GatewayTopics {
  const base = baseTopic(prefix, site, gateway);
  return {
    base,
    status: `${base}/status`,
    health: `${base}/health`,
    stream: (stream) => `${base}/${stream}`,
  };
}

export type GatewayState = "online" | "offline" | "stopped";

export interface StatusPayload {
  readonly state: GatewayState;
  readonly ts: string;
  readonly version: string;
}

/** MQTT topic filter matching (`+` one level, `#` the rest); filters here never start with `$`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === "#") return i === f.length - 1;
    if (i >= t.length) return false;
    if (part !== "+" && part !== t[i]) return false;
  }
  return f.length === t.length;
}
