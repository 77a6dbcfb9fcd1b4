import { useEffect, useState } from "preact/hooks";
import { fieldApi } from "../api/field";
import type { CameraHealth } from "../api/field";
import { errorWords, num, qualityTone, stateWords } from "../field/health-words";

/** The camera's latest picture, fetched with the bearer token (an <img src> could not send it). */
function CameraPicture({ id, tick }: { id: string; tick: number }) {
  const [src, setSrc] = useState<string>();
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let gone = false;
    let made: string | undefined;
    fieldApi.cameraSnapshot(id).then(
      (url) => {
        made = url;
        if (gone) URL.revokeObjectURL(url);
        else {
          setSrc(url);
          setMissing(false);
        }
      },
      () => !gone && setMissing(true),
    );
    return () => {
      gone = true;
      // The next picture replaces this one; keep the old one until then, then free it.
      if (made) setTimeout(() => URL.revokeObjectURL(made ?? ""), 5000);
    };
  }, [id, tick]);
  if (!src || missing) return <div class="tile-picture none">{missing ? "No picture yet" : "Loading picture…"}</div>;
  return <img class="tile-picture" src={src} alt={`Latest picture of camera ${id}`} />;
}

/** One camera at a glance: picture, state (colour plus words), rates, quality and its last error. */
export function CameraTile({ id, c, tick }: { id: string; c: CameraHealth; tick: number }) {
  const state = stateWords(c.state);
  const error = c.state === "online" ? undefined : errorWords(c);
  return (
    <li>
      <article class={`tile tone-${state.tone}`} aria-labelledby={`tile-${id}`}>
        <h3 id={`tile-${id}`}>{id}</h3>
        <CameraPicture id={id} tick={tick} />
        <p class={`state tone-${state.tone}`} aria-label={`State of camera ${id}`}>
          {state.text}
        </p>
        {error !== undefined && (
          <p class="tile-error" role="note" aria-label={`Last error of camera ${id}`}>
            {error}
          </p>
        )}
        <dl class="facts">
          <dt>Decoded</dt>
          <dd>{num(c.camera_fps)} fps</dd>
          <dt>Analysed</dt>
          <dd>{num(c.process_fps)} fps</dd>
          <dt>Connection</dt>
          {c.state === "disabled" ? (
            <dd>–</dd>
          ) : (
            <dd class={`tone-${qualityTone(c.connection_quality)}`}>{c.connection_quality ?? "–"}</dd>
          )}
          <dt>Reconnects (1 h)</dt>
          <dd>{c.reconnects_last_hour ?? c.restarts}</dd>
          <dt>Stalls (1 h)</dt>
          <dd>{c.stalls_last_hour ?? c.stalls}</dd>
        </dl>
      </article>
    </li>
  );
}
