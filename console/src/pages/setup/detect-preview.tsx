import { useEffect, useState } from "preact/hooks";
import { cameraApi, type DetectPreview, type Zone } from "../../api/cameras";
import { describeError } from "../../api/errors";
import { Picture } from "./camera-picture";

function base64Of(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * What the detector sees (`POST /v1/cameras/:id/detect`): boxes and scores over the picture, and
 * which zones and rules each would feed. The threshold slider filters in the browser, so an
 * installer can see what a higher score threshold would drop without running the model again.
 */
export function DetectionPreview(p: { cameraId: string; zones: Zone[]; snapshot: string | undefined }) {
  const [result, setResult] = useState<DetectPreview>();
  const [upload, setUpload] = useState<string>();
  const [threshold, setThreshold] = useState(0.3);
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(
    () => () => {
      if (upload) URL.revokeObjectURL(upload);
    },
    [upload],
  );
  const run = (jpeg?: string): void => {
    setBusy(true);
    setStatus(undefined);
    cameraApi
      .detect(p.cameraId, jpeg)
      .then(setResult, (err: unknown) => setStatus(describeError(err)))
      .finally(() => setBusy(false));
  };
  const shown = (result?.detections ?? []).filter((d) => d.score >= threshold);
  return (
    <section aria-labelledby="detect-title">
      <h2 id="detect-title">Detection preview</h2>
      <div class="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setUpload(undefined);
            run();
          }}
        >
          Detect on the latest frame
        </button>
        <label>
          Upload a JPEG
          <input
            type="file"
            accept="image/jpeg"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (!file) return;
              setUpload(URL.createObjectURL(file));
              void file.arrayBuffer().then((b) => run(base64Of(b)));
            }}
          />
        </label>
        <label>
          Score threshold {threshold.toFixed(2)}
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={threshold}
            onInput={(e) => setThreshold(Number(e.currentTarget.value))}
          />
        </label>
      </div>
      {busy && <p role="status">Running the detector…</p>}
      {status && (
        <p class="error" role="alert">
          {status}
        </p>
      )}
      {result && (
        <>
          <p role="status" aria-label="Detections shown">
            {shown.length} of {result.detections.length} detections at score {threshold.toFixed(2)} or more (
            {result.working_size.width}x{result.working_size.height},{" "}
            {result.passes.map((x) => `${x.inference_ms} ms`).join(" + ")})
          </p>
          <Picture src={upload ?? p.snapshot} alt={upload ? "Uploaded picture" : "Camera picture"}>
            <svg
              viewBox="0 0 1 1"
              preserveAspectRatio="none"
              role="img"
              aria-label={`${shown.length} detections drawn`}
            >
              {p.zones.map((z) => (
                <polygon key={z.id} class="zone" points={z.polygon.map(([x, y]) => `${x},${y}`).join(" ")} />
              ))}
              {shown.map((d, i) => (
                <g key={i}>
                  <rect
                    class="box"
                    x={d.box.x1}
                    y={d.box.y1}
                    width={Math.max(0, d.box.x2 - d.box.x1)}
                    height={Math.max(0, d.box.y2 - d.box.y1)}
                  />
                  <text
                    class="score"
                    x={d.box.x1}
                    y={Math.max(0.03, d.box.y1 - 0.005)}
                  >{`${d.label} ${d.score.toFixed(2)}`}</text>
                </g>
              ))}
            </svg>
          </Picture>
          <ul aria-label="Detections">
            {shown.map((d, i) => (
              <li key={i}>
                {d.label} {d.score.toFixed(2)}:{" "}
                {d.zones.length === 0
                  ? "in no zone"
                  : d.zones
                      .map(
                        (z) =>
                          `zone ${z.zone}${z.rules.length > 0 ? ` (would trigger ${z.rules.join(", ")})` : " (no rule)"}`,
                      )
                      .join("; ")}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
