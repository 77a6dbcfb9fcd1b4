import { useEffect, useState } from "preact/hooks";
import { fieldApi } from "../api/field";
import { describeError } from "../api/errors";
import type { HealthDocument } from "../api/field";
import { STATUS_WORDS } from "../field/health-words";
import { can, useSession } from "../use-session";
import { CameraTile } from "./health-tile";
import { CertificatesPanel, DetectorPanel, SystemPanel, UplinkPanel } from "./health-panels";
import { SupportBundleButton } from "./support-bundle";

/** How often the dashboard asks for the health document (and every tenth time, new pictures). */
const REFRESH_MS = 2000;
const PICTURE_EVERY = 3;

/** The field tech's one page: what is wrong with the box, refreshed live. */
export function HealthPage() {
  const session = useSession();
  const [h, setH] = useState<HealthDocument>();
  const [error, setError] = useState<string>();
  const [at, setAt] = useState<Date>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let gone = false;
    let n = 0;
    const load = (): void => {
      fieldApi.health().then(
        (doc) => {
          if (gone) return;
          setH(doc);
          setAt(new Date());
          setError(undefined);
          if (n++ % PICTURE_EVERY === 0) setTick((t) => t + 1);
        },
        (e: unknown) => !gone && setError(`The health document could not be read: ${describeError(e)}`),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      gone = true;
      clearInterval(timer);
    };
  }, []);
  const status = h ? (STATUS_WORDS[h.status] ?? { text: h.status, tone: "warn" }) : undefined;
  return (
    <section aria-labelledby="health-title" class="health">
      <h1 id="health-title">Health</h1>
      {error && <p role="alert">{error}</p>}
      {!h || !status ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <div class={`banner tone-${status.tone}`} role="status" aria-label="Box status">
            <strong>Box: {status.text}</strong>
            {h.reasons.length > 0 && (
              <ul>
                {h.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            )}
            <span class="updated">
              Version {h.version}, up {Math.round(h.uptime_s / 60)} min; updated {at?.toLocaleTimeString()}
            </span>
          </div>
          {can(session, "admin") && <SupportBundleButton />}
          <div class="health-grid">
            <section aria-labelledby="cameras-title">
              <h2 id="cameras-title">Cameras</h2>
              <ul class="tiles">
                {Object.entries(h.cameras).map(([id, c]) => (
                  <CameraTile key={id} id={id} c={c} tick={tick} />
                ))}
              </ul>
            </section>
            <aside aria-label="Box parts">
              <DetectorPanel h={h} />
              <UplinkPanel h={h} />
              <SystemPanel h={h} />
              <CertificatesPanel h={h} />
            </aside>
          </div>
        </>
      )}
    </section>
  );
}
