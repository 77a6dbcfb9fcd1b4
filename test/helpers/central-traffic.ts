import { randomUUID } from "node:crypto";
import type { Incident } from "../../src/contract/incident.js";
import type { Outbox } from "../../src/store/outbox.js";

/** A schema-valid incident (what a gateway's `incident.created` carries), about 700 bytes of JSON. */
export function incidentData(i: number, camera = "lobby"): Incident {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    version: 1,
    camera_id: camera,
    rule: "intrusion-after-hours",
    zone: "loading-dock",
    status: "open",
    confidence: 0.8 + (i % 10) / 100,
    objects: [{ label: "person", score: 0.91, box: { x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.7 }, track_id: i + 1 }],
    started_at: at,
    last_seen_at: at,
    ended_at: null,
    summary: `person in loading-dock after hours (#${i})`,
    next_step: "notify",
    history: [{ at, actor: "system", action: "created", before: null, after: "open" }],
  };
}

/** Appends `count` `incident.created` envelopes with `concurrency` writers (group-committed). */
export async function appendIncidents(outbox: Outbox, count: number, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await outbox.append("incidents", "incident.created", incidentData(i));
      }
    }),
  );
}
