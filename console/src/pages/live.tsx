import { useEffect, useRef, useState } from "preact/hooks";
import { cameraApi } from "../api/cameras";
import { describeError } from "../api/errors";
import { fieldApi } from "../api/field";
import type { LiveStatus } from "../field/live-player";
import { navigate } from "../router";

export const MAX_LIVE = 4;

function statusText(s: LiveStatus): string {
  switch (s.kind) {
    case "connecting":
      return "Connecting…";
    case "playing":
      return "Live";
    default:
      return s.message;
  }
}

/** One camera's live picture; unmounting it closes its socket, which frees the daemon's relay. */
function LiveTile({ id }: { id: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [status, setStatus] = useState<LiveStatus>({ kind: "connecting" });
  useEffect(() => {
    let stop: (() => void) | undefined;
    let gone = false;
    void import("../field/live-player").then((m) => {
      if (gone || !canvas.current) return;
      stop = m.playLive(canvas.current, () => fieldApi.liveTicket(id), setStatus);
    });
    const leave = (): void => stop?.();
    window.addEventListener("pagehide", leave);
    return () => {
      gone = true;
      window.removeEventListener("pagehide", leave);
      stop?.();
    };
  }, [id]);
  const bad = status.kind !== "playing" && status.kind !== "connecting";
  return (
    <li class="live-tile">
      <h2 id={`live-${id}`}>{id}</h2>
      <canvas ref={canvas} width={640} height={360} role="img" aria-label={`Live picture of camera ${id}`} />
      <p
        role="status"
        aria-label={`Live view of camera ${id}`}
        class={bad ? "tone-bad" : status.kind === "playing" ? "tone-ok" : ""}
      >
        {statusText(status)}
      </p>
    </li>
  );
}

/** Live view: pick up to four cameras (kept in the URL), each played with jsmpeg. */
export function LivePage({ query }: { query: URLSearchParams }) {
  const chosen = (query.get("cameras") ?? "")
    .split(",")
    .filter((c) => c !== "")
    .slice(0, MAX_LIVE);
  const [cameras, setCameras] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    cameraApi.list().then(
      (r) => setCameras(r.cameras.filter((c) => c.enabled).map((c) => c.id)),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);
  const toggle = (id: string, on: boolean): void => {
    const next = on ? [...chosen, id].slice(0, MAX_LIVE) : chosen.filter((c) => c !== id);
    navigate(`/live${next.length ? `?cameras=${next.map(encodeURIComponent).join(",")}` : ""}`, { replace: true });
  };
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live view</h1>
      {error && <p role="alert">{error}</p>}
      <fieldset>
        <legend>Cameras to watch (up to {MAX_LIVE})</legend>
        {cameras.length === 0 && <p>No enabled camera.</p>}
        {cameras.map((id) => (
          <label key={id} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(id)}
              disabled={!chosen.includes(id) && chosen.length >= MAX_LIVE}
              onChange={(e) => toggle(id, e.currentTarget.checked)}
            />
            {id}
          </label>
        ))}
      </fieldset>
      <ul class={`live-grid n${chosen.length}`}>
        {chosen.map((id) => (
          <LiveTile key={id} id={id} />
        ))}
      </ul>
    </section>
  );
}
