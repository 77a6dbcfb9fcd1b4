import { useRef, useState } from "preact/hooks";
import type { Zone } from "../../api/cameras";
import {
  insertPoint,
  movePoint,
  nudgePoint,
  polygonProblem,
  type Polygon,
  relativePoint,
  removePoint,
} from "../../../../src/contract/zone-polygon";
import { Picture } from "./camera-picture";

const fmt = (v: number): string => v.toFixed(3);
const asZonePolygon = (p: Polygon): Array<[number, number]> => p.map(([x, y]) => [x, y]);

/**
 * Zones drawn on the camera's picture. Click the picture to add a point after the selected one,
 * drag a point to move it; every point is also a focusable handle (arrow keys move it, Shift for
 * bigger steps, Delete removes it) and a row of number fields, so no mouse is needed.
 */
export function ZoneEditor(p: { zones: Zone[]; onChange: (zones: Zone[]) => void; picture: string | undefined }) {
  const [selected, setSelected] = useState(0);
  const [point, setPoint] = useState(-1);
  const [newId, setNewId] = useState("");
  const drag = useRef<number | undefined>(undefined);
  const svg = useRef<SVGSVGElement>(null);
  const zone = p.zones[selected];
  const setPolygon = (poly: Polygon): void =>
    p.onChange(p.zones.map((z, i) => (i === selected ? { ...z, polygon: asZonePolygon(poly) } : z)));
  const setZone = (patch: Partial<Zone>): void =>
    p.onChange(p.zones.map((z, i) => (i === selected ? { ...z, ...patch } : z)));
  const at = (e: { clientX: number; clientY: number }) => {
    const r = svg.current?.getBoundingClientRect();
    return relativePoint(e.clientX, e.clientY, r ?? { left: 0, top: 0, width: 1, height: 1 });
  };
  const name = zone ? (zone.name ?? zone.id) : "";
  return (
    <section aria-labelledby="zones-title" class="zone-editor">
      <h2 id="zones-title">Zones</h2>
      <div class="zone-pick">
        <label>
          Zone
          <select
            value={String(selected)}
            onChange={(e) => {
              setSelected(Number(e.currentTarget.value));
              setPoint(-1);
            }}
          >
            {p.zones.map((z, i) => (
              <option key={z.id} value={String(i)}>
                {z.name ?? z.id}
              </option>
            ))}
          </select>
        </label>
        <form
          aria-label="Add a zone"
          onSubmit={(e) => {
            e.preventDefault();
            if (!/^[a-z0-9_-]{1,64}$/.test(newId) || p.zones.some((z) => z.id === newId)) return;
            p.onChange([...p.zones, { id: newId, polygon: [] }]);
            setSelected(p.zones.length);
            setPoint(-1);
            setNewId("");
          }}
        >
          <label>
            New zone id
            <input pattern="[a-z0-9_\-]{1,64}" value={newId} onInput={(e) => setNewId(e.currentTarget.value)} />
          </label>
          <button type="submit">Add zone</button>
        </form>
      </div>
      <Picture src={p.picture} alt="Camera picture">
        <svg
          ref={svg}
          viewBox="0 0 1 1"
          preserveAspectRatio="none"
          class="draw"
          role="group"
          aria-label={zone ? `Zone ${name}: click to add a point` : "No zone selected"}
          onPointerDown={(e) => {
            if (!zone || (e.target as Element).tagName === "circle") return;
            const after = point >= 0 ? point : zone.polygon.length - 1;
            setPolygon(insertPoint(zone.polygon, after, at(e)));
            setPoint(after + 1);
          }}
          onPointerMove={(e) => {
            if (drag.current === undefined || !zone) return;
            const q = at(e);
            setPolygon(movePoint(zone.polygon, drag.current, q[0], q[1]));
          }}
          onPointerUp={() => (drag.current = undefined)}
        >
          {p.zones.map((z, zi) => (
            <polygon
              key={z.id}
              class={zi === selected ? "zone selected" : "zone"}
              points={z.polygon.map(([x, y]) => `${x},${y}`).join(" ")}
            />
          ))}
          {zone?.polygon.map(([x, y], i) => (
            <circle
              key={i}
              cx={x}
              cy={y}
              r={0.015}
              class={i === point ? "handle selected" : "handle"}
              tabIndex={0}
              role="button"
              aria-label={`Point ${i + 1} of zone ${name}, x ${fmt(x)}, y ${fmt(y)}`}
              onFocus={() => setPoint(i)}
              onPointerDown={(e) => {
                e.stopPropagation();
                (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
                drag.current = i;
                setPoint(i);
              }}
              onKeyDown={(e) => {
                const step = e.shiftKey ? 0.05 : 0.01;
                const moves: Record<string, [number, number]> = {
                  ArrowLeft: [-step, 0],
                  ArrowRight: [step, 0],
                  ArrowUp: [0, -step],
                  ArrowDown: [0, step],
                };
                const m = moves[e.key];
                if (m) {
                  e.preventDefault();
                  setPolygon(nudgePoint(zone.polygon, i, m[0], m[1]));
                } else if (e.key === "Delete" || e.key === "Backspace") {
                  e.preventDefault();
                  setPolygon(removePoint(zone.polygon, i));
                  setPoint(Math.min(i, zone.polygon.length - 2));
                }
              }}
            />
          ))}
        </svg>
      </Picture>
      {zone && (
        <fieldset>
          <legend>Zone {name}</legend>
          <label>
            Zone name
            <input
              value={zone.name ?? ""}
              maxLength={200}
              onInput={(e) => setZone(e.currentTarget.value ? { name: e.currentTarget.value } : { name: undefined })}
            />
          </label>
          <label>
            Zone labels (comma separated; empty: all)
            <input
              value={(zone.labels ?? []).join(", ")}
              onChange={(e) => {
                const labels = e.currentTarget.value
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean);
                setZone({ labels: labels.length > 0 ? labels : undefined });
              }}
            />
          </label>
          <ol class="points" aria-label={`Points of zone ${name}`}>
            {zone.polygon.map(([x, y], i) => (
              <li key={i} class={i === point ? "selected" : undefined}>
                <label>
                  Point {i + 1} x
                  <input
                    type="number"
                    min={0}
                    max={1}
                    step={0.001}
                    value={fmt(x)}
                    onChange={(e) => setPolygon(movePoint(zone.polygon, i, Number(e.currentTarget.value), y))}
                  />
                </label>
                <label>
                  Point {i + 1} y
                  <input
                    type="number"
                    min={0}
                    max={1}
                    step={0.001}
                    value={fmt(y)}
                    onChange={(e) => setPolygon(movePoint(zone.polygon, i, x, Number(e.currentTarget.value)))}
                  />
                </label>
                <button type="button" onClick={() => setPolygon(removePoint(zone.polygon, i))}>
                  Delete point {i + 1}
                </button>
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => setPolygon(insertPoint(zone.polygon, zone.polygon.length - 1, [0.5, 0.5]))}
          >
            Add point
          </button>{" "}
          <button
            type="button"
            class="danger"
            onClick={() => {
              p.onChange(p.zones.filter((_, i) => i !== selected));
              setSelected(0);
              setPoint(-1);
            }}
          >
            Delete zone {zone.id}
          </button>
          {polygonProblem(zone.polygon) && (
            <p class="warn">
              Zone {name} {polygonProblem(zone.polygon)}.
            </p>
          )}
        </fieldset>
      )}
    </section>
  );
}
