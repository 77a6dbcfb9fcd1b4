import { useEffect, useState } from "preact/hooks";

/**
 * A picture or clip fetched with the bearer token (an <img>/<video> src cannot send one), as an
 * object URL: freed when the component goes or the source changes, including one that arrives
 * after that.
 */
export function useBlobUrl(
  load: () => Promise<string>,
  deps: readonly unknown[],
): { src: string | undefined; failed: boolean } {
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    load().then(
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
    // The caller names what the load depends on.
  }, deps);
  return { src, failed };
}
