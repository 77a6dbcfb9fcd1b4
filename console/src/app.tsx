import { useEffect } from "preact/hooks";
import { whenSignedOut } from "./api/client";
import { logout, refresh } from "./api/session";
import { fieldLinks, fieldPage } from "./field-routes";
import { AccountPage } from "./pages/account";
import { IncidentPage } from "./pages/incident";
import { KpiPage } from "./pages/kpis";
import { LoginPage } from "./pages/login";
import { QueuePage } from "./pages/queue";
import { here, navigate, useLocation } from "./router";
import { setupLinks, setupPage } from "./setup-routes";
import { useSession } from "./use-session";

function toLogin(): void {
  const back = here();
  if (window.location.pathname !== "/login") navigate(`/login?next=${encodeURIComponent(back)}`, { replace: true });
}

// A refused refresh anywhere (expired or ended session) sends the user to sign in, then back.
whenSignedOut(toLogin);
void refresh();

export function App() {
  const session = useSession();
  const loc = useLocation();
  useEffect(() => {
    if (session.ready && !session.me && loc.path !== "/login") toLogin();
  }, [session.ready, session.me, loc.path]);

  if (!session.ready)
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  if (!session.me || loc.path === "/login") return <LoginPage next={loc.query.get("next") ?? "/incidents"} />;
  const me = session.me;
  const page =
    fieldPage(loc.path, loc.query, me.role) ??
    setupPage(loc.path, me.role) ??
    (loc.path.startsWith("/incidents/") ? (
      <IncidentPage id={decodeURIComponent(loc.path.slice("/incidents/".length))} />
    ) : loc.path === "/kpis" ? (
      <KpiPage />
    ) : loc.path === "/account" ? (
      <AccountPage />
    ) : (
      <QueuePage query={loc.query} />
    ));
  const link = (to: string, label: string) => (
    <a
      href={to}
      aria-current={
        loc.path === to || (to === "/incidents" && (loc.path === "/" || loc.path.startsWith("/incidents/")))
          ? "page"
          : undefined
      }
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <span class="brand">Vigil</span>
        <nav aria-label="Main">
          {link("/incidents", "Incidents")}
          {link("/kpis", "KPIs")}
          {fieldLinks(me.role).map(([to, label]) => link(to, label))}
          {setupLinks(me.role).map(([to, label]) => link(to, label))}
          {link("/account", "My account")}
        </nav>
        <span class="who">
          {me.username}{" "}
          <span class={`badge role-${me.role}`} aria-label={`Role: ${me.role}`}>
            {me.role}
          </span>
        </span>
        <button
          type="button"
          onClick={() => {
            void logout().then(() => navigate("/login", { replace: true }));
          }}
        >
          Log out
        </button>
      </header>
      <main id="main">{page}</main>
    </>
  );
}
