import type { Logger } from "../../core/logger.js";
import { alertTypeFor } from "./provider-health.js";
import type { ProviderChange } from "./provider-chain.js";

export type AlertSink = (type: string, data: Record<string, unknown>) => Promise<unknown>;

/**
 * Provider state changes as `provider.degraded` / `provider.unhealthy` / `provider.recovered`
 * alerts on the outbox. Appends run one after another so a "recovered" can never overtake the
 * "unhealthy" it follows; a failed append is logged, never thrown into inference.
 */
export function providerAlerts(
  alert: AlertSink,
  log: Logger,
): { onChange: (change: ProviderChange) => void; drain: () => Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  return {
    onChange: (c) => {
      const data = {
        provider: c.provider,
        backend: c.backend,
        model: c.model,
        from: c.from,
        to: c.to,
        last_error: c.error ?? null,
        at: new Date(c.at).toISOString(),
      };
      chain = chain
        .then(async () => {
          await alert(alertTypeFor(c), data);
        })
        .catch((err: unknown) => log.error({ err, provider: c.provider }, "provider alert could not be queued"));
    },
    drain: () => chain,
  };
}
