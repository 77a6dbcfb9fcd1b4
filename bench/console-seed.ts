import type { VigilEvents } from "../src/contract/events.js";
import { EventBus } from "../src/core/event-bus.js";
import { IncidentService } from "../src/incidents/incident-service.js";
import { openStoreStack } from "../test/helpers/store-stack.js";
import { silentLogger } from "../test/helpers/uplink-stack.js";

const CAMERAS = ["gate", "yard", "dock"];
const RULES = ["restricted", "loitering", "tamper"];

/** Writes `count` incidents through the real incident service into a stopped box's store. */
export async function seedIncidents(dataDir: string, count: number): Promise<void> {
  const stack = await openStoreStack(dataDir);
  try {
    const service = new IncidentService(stack.db, stack.outbox, new EventBus<VigilEvents>(), silentLogger());
    const now = Date.now();
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
      const at = now - (count - i) * 60_000;
      writes.push(
        service.create({
          cameraId: CAMERAS[i % CAMERAS.length] ?? "gate",
          rule: RULES[i % RULES.length] ?? "tamper",
          zone: i % 2 === 0 ? "floor" : null,
          objects: [{ label: "person", score: 0.5 + (i % 50) / 100, box: { x1: 0.2, y1: 0.2, x2: 0.4, y2: 0.8 } }],
          startedAt: at,
          lastSeenAt: at + 5000,
          summary: `Seeded incident ${i + 1}`,
        }),
      );
      if (writes.length >= 500) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  } finally {
    await stack.close();
  }
}
