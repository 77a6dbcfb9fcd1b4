import { useEffect, useState } from "preact/hooks";

/**
 * The console's pages are real paths (the daemon serves index.html for each), with their state
 * (filters) in the query string, so a link or a reload shows the same view.
 */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  for (const l of [...listeners]) l();
}

window.addEventListener("popstate", () => {
  for (const l of [...listeners]) l();
});

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = (): void => setLoc(current());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return loc;
}

/** Where to return after signing in: the page the user was on. */
export function here(): string {
  return `${window.location.pathname}${window.location.search}`;
}
