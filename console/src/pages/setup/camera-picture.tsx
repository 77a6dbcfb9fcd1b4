import type { ComponentChildren } from "preact";
import { cameraApi } from "../../api/cameras";
import { useBlobUrl } from "../../use-blob-url";

/** The camera's latest snapshot as an object URL, or undefined while there is none. */
export function useSnapshot(cameraId: string, refresh = 0): { src: string | undefined; failed: boolean } {
  return useBlobUrl(() => cameraApi.snapshot(cameraId), [cameraId, refresh]);
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
