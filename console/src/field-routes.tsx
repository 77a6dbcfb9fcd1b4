// The field techs' and administrators' pages, and who sees them in the nav. Kept apart from
// app.tsx so the operators' routes and these grow without touching each other. The server stays
// the authority: a page hidden here is still refused by the API (403) to a role below it.
import type { JSX } from "preact";
import { roleIncludes, type Role } from "../../src/contract/roles";
import { AuditPage } from "./pages/audit";
import { HealthPage } from "./pages/health";
import { LivePage } from "./pages/live";
import { UsersPage } from "./pages/users";
import { WatchlistPage } from "./pages/watchlist";
import "./field/field.css";

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
