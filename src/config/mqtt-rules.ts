import { isLoopbackHost } from "../core/loopback.js";
import type { VigilConfig } from "./schema.js";

/** Schemes that carry MQTT without TLS. */
const PLAIN = /^(mqtt|tcp|ws):\/\//i;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/** The configured broker URLs that are plaintext and leave the box. Pure. */
export function plainNetworkBrokers(config: Pick<VigilConfig, "mqtt">): string[] {
  return config.mqtt.brokers.filter((url) => PLAIN.test(url) && !isLoopbackHost(hostOf(url)));
}

/**
 * Why the MQTT transport is refused, as a key path and a problem, or undefined. The embedded broker
 * has neither authentication nor TLS: loopback only. A plaintext broker on the network carries
 * incidents, audit and signed commands in clear: only with `mqtt.allow_plain: true`. Pure.
 */
export function mqttTransportProblem(config: Pick<VigilConfig, "mqtt">): { path: string; problem: string } | undefined {
  const embedded = config.mqtt.embedded;
  if (embedded.enabled && !isLoopbackHost(embedded.listen.slice(0, embedded.listen.lastIndexOf(":")))) {
    return {
      path: "mqtt.embedded.listen",
      problem: "the embedded broker has no authentication and no TLS: it may listen on a loopback address only",
    };
  }
  if (config.mqtt.allow_plain) return undefined;
  const plain = plainNetworkBrokers(config);
  if (plain.length === 0) return undefined;
  const index = config.mqtt.brokers.indexOf(plain[0] ?? "");
  return {
    path: `mqtt.brokers[${index}]`,
    problem:
      "a plaintext broker (mqtt://, tcp://, ws://) on a network address: use mqtts:// or wss://, or set mqtt.allow_plain: true",
  };
}
