import type { HealthDocument } from "../api/field";
import { age, bytes, num } from "../field/health-words";

const tone = (good: boolean): string => (good ? "tone-ok" : "tone-bad");

export function DetectorPanel({ h }: { h: HealthDocument }) {
  return (
    <section class="panel" aria-labelledby="panel-detector">
      <h2 id="panel-detector">Detector and providers</h2>
      <p>
        {h.detector.model} on {h.detector.provider}: {num(h.detector.ms_per_frame ?? h.detector.mean_ms)} ms per frame,{" "}
        {h.detector.runs} runs
      </p>
      <table>
        <caption class="sr-only">Inference providers</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">State</th>
            <th scope="col">Latency</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {h.providers.map((p) => (
            <tr key={`${p.model}/${p.id}`}>
              <td>
                {p.id} ({p.model})
              </td>
              <td class={tone(p.state === "healthy")}>{p.state}</td>
              <td>{p.ewma_ms === null ? "–" : `${num(p.ewma_ms)} ms`}</td>
              <td>{p.last_error ?? "none"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function UplinkPanel({ h }: { h: HealthDocument }) {
  const streams = Object.keys(h.outbox.depth);
  return (
    <section class="panel" aria-labelledby="panel-uplink">
      <h2 id="panel-uplink">Uplink and outbox</h2>
      {h.uplink ? (
        <p class={tone(h.uplink.connected)}>
          {h.uplink.connected
            ? `Connected to ${h.uplink.broker ?? "the broker"}`
            : `Not connected${h.uplink.brokers[0]?.last_error ? `: ${h.uplink.brokers[0].last_error}` : ""}`}
        </p>
      ) : (
        <p>No uplink configured</p>
      )}
      <p>
        Outbox: {bytes(h.outbox.used_bytes)} of {bytes(h.outbox.max_bytes)}
        {h.outbox.refused > 0 && <strong class="tone-bad"> ({h.outbox.refused} refused)</strong>}
      </p>
      <table>
        <caption class="sr-only">Outbox streams</caption>
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Waiting</th>
            <th scope="col">Oldest</th>
          </tr>
        </thead>
        <tbody>
          {streams.map((s) => (
            <tr key={s}>
              <td>{s}</td>
              <td>{h.outbox.depth[s]}</td>
              <td>{age(h.outbox.oldest_age_s[s])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SystemPanel({ h }: { h: HealthDocument }) {
  const s = h.system;
  return (
    <section class="panel" aria-labelledby="panel-system">
      <h2 id="panel-system">System</h2>
      {!s ? (
        <p>No sample yet</p>
      ) : (
        <dl class="facts">
          <dt>CPU</dt>
          <dd>
            {s.cpu.load_percent === null ? "–" : `${num(s.cpu.load_percent, 0)}%`} of {s.cpu.cores} cores
          </dd>
          <dt>Memory</dt>
          <dd>
            {bytes(s.memory.total_bytes - s.memory.available_bytes)} used of {bytes(s.memory.total_bytes)}
          </dd>
          <dt>Disk</dt>
          <dd class={s.disk ? tone(s.disk.free_percent >= 10) : ""}>
            {s.disk ? `${bytes(s.disk.free_bytes)} free (${num(s.disk.free_percent)}%) on ${s.disk.mount}` : "–"}
          </dd>
          <dt>Temperature</dt>
          <dd>{s.temperatures.cpu_main_c === null ? "no sensor" : `${num(s.temperatures.cpu_main_c, 0)} °C`}</dd>
          <dt>GPU</dt>
          <dd>
            {s.gpus.length === 0
              ? "none"
              : s.gpus
                  .map(
                    (g) =>
                      `${g.model}${g.utilization_percent === null ? "" : ` ${num(g.utilization_percent, 0)}%`}${g.temperature_c === null ? "" : ` ${num(g.temperature_c, 0)} °C`}`,
                  )
                  .join(", ")}
          </dd>
        </dl>
      )}
    </section>
  );
}

export function CertificatesPanel({ h }: { h: HealthDocument }) {
  const soon = h.certificates.filter((c) => c.status !== "ok");
  return (
    <section class="panel" aria-labelledby="panel-certs">
      <h2 id="panel-certs">Certificates</h2>
      {h.certificates.length === 0 ? (
        <p>None watched</p>
      ) : soon.length === 0 ? (
        <p class="tone-ok">
          All {h.certificates.length} valid for {Math.min(...h.certificates.map((c) => c.days_left))} days or more
        </p>
      ) : (
        <ul>
          {soon.map((c) => (
            <li key={c.name} class="tone-bad">
              {c.name}: {c.days_left < 0 ? "expired" : `expires in ${c.days_left} days`} ({c.not_after.slice(0, 10)})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
