// The field techs' and administrators' pages, and who sees them in the nav. Kept apart from
// app.tsx so the operators' routes and these grow without touching each other. The server stays
// the authority: a page hidden here is still refused by the API (403) to a role below it.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { roleIncludes, type Role } from "../../src/contract/roles";
import "./field/field.css";

type Page<P> = (props: P) => JSX.Element;

/** A page loaded on first visit (its own chunk), so these pages cost the first load nothing. */
export function lazy<P extends object>(load: () => Promise<Page<P>>): Page<P> {
  let loaded: Page<P> | undefined;
  return function LazyPage(props: P) {
    const [C, setC] = useState<Page<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (!C)
        load().then(
          (c) => setC(() => (loaded = c)),
          () => setFailed(true),
        );
    }, []);
    if (failed) return <p role="alert">This page could not be loaded; reload to try again.</p>;
    return C ? <C {...props} /> : <p role="status">Loading…</p>;
  };
}

const HealthPage = lazy(() => import("./pages/health").then((m) => m.HealthPage));
const LivePage = lazy<{ query: URLSearchParams }>(() => import("./pages/live").then((m) => m.LivePage));
const WatchlistPage = lazy(() => import("./pages/watchlist").then((m) => m.WatchlistPage));
const AuditPage = lazy<{ query: URLSearchParams }>(() => import("./pages/audit").then((m) => m.AuditPage));
const UsersPage = lazy(() => import("./pages/users").then((m) => m.UsersPage));
const ProvidersPage = lazy<{ query: URLSearchParams }>(() => import("./pages/providers").then((m) => m.ProvidersPage));

interface FieldRoute {
  readonly path: string;
  readonly label: string;
  readonly role: Role;
  readonly page: (query: URLSearchParams) => JSX.Element;
}

const ROUTES: readonly FieldRoute[] = [
  { path: "/health", label: "Health", role: "viewer", page: () => <HealthPage /> },
  { path: "/live", label: "Live", role: "viewer", page: (q) => <LivePage query={q} /> },
  { path: "/watchlist", label: "Watchlist", role: "supervisor", page: () => <WatchlistPage /> },
  { path: "/audit", label: "Audit log", role: "supervisor", page: (q) => <AuditPage query={q} /> },
  { path: "/users", label: "Users", role: "admin", page: () => <UsersPage /> },
  { path: "/providers", label: "Providers", role: "admin", page: (q) => <ProvidersPage query={q} /> },
];

/** The page at `path` for this role; a page above the role says so instead of showing it. */
export function fieldPage(path: string, query: URLSearchParams, role: Role): JSX.Element | undefined {
  const route = ROUTES.find((r) => r.path === path);
  if (!route) return undefined;
  if (!roleIncludes(role, route.role)) return <p role="alert">This page needs the {route.role} role.</p>;
  return route.page(query);
}

/** The nav entries this role may open. */
export function fieldLinks(role: Role): ReadonlyArray<readonly [string, string]> {
  return ROUTES.filter((r) => roleIncludes(role, r.role)).map((r) => [r.path, r.label] as const);
}
