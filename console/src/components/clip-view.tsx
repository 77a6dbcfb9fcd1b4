import { api } from "../api/client";
import type { Incident } from "../api/types";
import { useBlobUrl } from "../use-blob-url";

/**
 * One incident clip in the browser's own <video> player (keyboard-operable controls, no script
 * player to maintain). The API wants a bearer token, which a <video src> cannot send, so the clip is
 * fetched once and played from a blob URL: seeking is then local. Gaps are listed in words, since
 * the file itself runs straight across them.
 */
export function ClipView({ incident, n }: { incident: Incident; n: number }) {
  const { src, failed } = useBlobUrl(() => api.clip(incident.id, n), [incident.id, n]);
  const clip = incident.clips?.[n];
  if (!clip) return null;
  const time = (iso: string) => new Date(iso).toLocaleTimeString();
  const caption = `Clip ${n + 1} of ${incident.clips?.length ?? 0}, ${time(clip.start)} to ${time(clip.end)}, ${clip.duration_s.toFixed(1)} s`;
  if (failed) return <p>{caption}: no longer available.</p>;
  return (
    <figure class="clip">
      {src ? (
        <video controls preload="metadata" src={src} aria-label={`${caption}: ${incident.summary}`} />
      ) : (
        <p role="status">Loading {caption.toLowerCase()}...</p>
      )}
      <figcaption>
        {caption}
        {clip.gaps.length > 0 && (
          <span class="clip-gaps">
            {" "}
            Not recorded (camera reconnecting or unreadable):{" "}
            {clip.gaps.map((g) => `${time(g.start)} to ${time(g.end)}`).join("; ")}.
          </span>
        )}
      </figcaption>
    </figure>
  );
}
