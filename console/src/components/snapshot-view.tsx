import { api } from "../api/client";
import type { Incident } from "../api/types";
import { useBlobUrl } from "../use-blob-url";

export type Zone = { id: string; name?: string; polygon: Array<[number, number]> };

/**
 * One scene JPEG with the incident's objects' boxes and its zone drawn over it. Boxes and
 * polygons are relative to the frame (0..1), so an SVG with a 0..1 viewBox lies exactly on top.
 */
export function SnapshotView({ incident, n, zone }: { incident: Incident; n: number; zone: Zone | undefined }) {
  const { src, failed } = useBlobUrl(() => api.snapshot(incident.id, n), [incident.id, n]);
  const snap = incident.snapshots?.[n];
  const caption = `Snapshot ${n + 1} of ${incident.snapshots?.length ?? 0}${snap ? `, ${new Date(snap.captured_at).toLocaleString()}` : ""}`;
  if (failed) return <p>{caption}: no longer available.</p>;
  return (
    <figure class="snapshot">
      <div class="frame">
        {src && <img src={src} alt={`${caption}: ${incident.summary}`} />}
        <svg
          viewBox="0 0 1 1"
          preserveAspectRatio="none"
          role="img"
          aria-label={`${incident.objects.length} detected objects${zone ? ` and zone ${zone.name ?? zone.id}` : ""}`}
        >
          {zone && <polygon class="zone" points={zone.polygon.map(([x, y]) => `${x},${y}`).join(" ")} />}
          {incident.objects.map((o, k) => (
            <g key={k}>
              <rect
                class="box"
                x={o.box.x1}
                y={o.box.y1}
                width={Math.max(0, o.box.x2 - o.box.x1)}
                height={Math.max(0, o.box.y2 - o.box.y1)}
              />
            </g>
          ))}
        </svg>
      </div>
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
