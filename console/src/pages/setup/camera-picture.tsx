import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { cameraApi } from "../../api/cameras";

/** The camera's latest snapshot as an object URL, or undefined while there is none. */
export function useSnapshot(cameraId: string, refresh = 0): { src: string | undefined; failed: boolean } {
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    cameraApi.snapshot(cameraId).then(
      (u) => {
        url = u;
        if (live) setSrc(u);
        else URL.revokeObjectURL(u);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [cameraId, refresh]);
  return { src, failed };
}

/**
 * A picture with an SVG drawn over it in relative coordinates (viewBox 0..1): boxes and polygons
 * lie exactly on the picture whatever its size. Without a picture, a grey 16:9 frame.
 */
export function Picture({ src, alt, children }: { src: string | undefined; alt: string; children: ComponentChildren }) {
  return (
    <div class="picture">
      {src ? <img src={src} alt={alt} /> : <div class="no-picture" role="img" aria-label={`${alt} (no picture yet)`} />}
      {children}
    </div>
  );
}
