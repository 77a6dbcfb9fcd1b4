import type { AuditEntry } from "../../contract/audit.js";
import type { Incident } from "../../contract/incident.js";
import { auditSeqFor } from "./report.js";

/** Pictures the HTML report embeds, by their name in the pack. */
export interface ReportPictures {
  /** `1.jpg` -> JPEG bytes: the incident's snapshots. */
  readonly snapshots: ReadonlyMap<string, Uint8Array>;
  /** `0.mp4` -> JPEG frames taken evenly across that clip. */
  readonly strips: ReadonlyMap<string, readonly Uint8Array[]>;
}

/** Everything from the incident, an operator's note or a summary, is text here, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

const jpegUri = (bytes: Uint8Array): string => `data:image/jpeg;base64,${Buffer.from(bytes).toString("base64")}`;
const num = (n: number): string => String(Math.round(n * 10_000) / 10_000);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
figure{margin:.5rem 0;break-inside:avoid}.frame{position:relative;display:inline-block;max-width:100%}
.frame img{display:block;max-width:100%}.frame svg{position:absolute;inset:0;width:100%;height:100%}
.box{fill:none;stroke:#d00;stroke-width:.006}.strip{display:flex;flex-wrap:wrap;gap:.25rem}.strip img{width:9.5rem}
code{word-break:break-all}@media print{body{margin:0;max-width:none}a{color:#111}}
`;

/**
 * report.html: the pack for the police officer or insurer who opens it offline. One file, no
 * scripts, no external resources (pictures are data: URIs, boxes are inline SVG), readable when
 * printed. It says what happened, shows it, lists the decisions with their audit seqs, and how to
 * check that nothing in the pack was changed. Pure.
 */
export function renderReportHtml(
  incident: Incident,
  audit: readonly AuditEntry[],
  meta: { site: string; gateway: string; createdAt: string; createdBy: string },
  pictures: ReportPictures,
): string {
  const e = escapeHtml;
  const used = new Set<number>();
  const facts: Array<[string, string]> = [
    ["Site / gateway", `${meta.site} / ${meta.gateway}`],
    ["Camera", incident.camera_id],
    ["Rule", `${incident.rule}${incident.zone ? ` (zone ${incident.zone})` : ""}`],
    [
      "Status",
      `${incident.status} (version ${incident.version})${incident.dismiss_reason ? `, dismissed as ${incident.dismiss_reason}` : ""}`,
    ],
    ["Started", incident.started_at],
    ["Last seen", incident.last_seen_at],
    ["Ended", incident.ended_at ?? "not yet"],
    ["Confidence", String(incident.confidence)],
    [
      "Objects",
      incident.objects.length === 0
        ? "none"
        : incident.objects
            .map((o) => `${o.label} (${o.score}${o.track_id === undefined ? "" : `, track ${o.track_id}`})`)
            .join(", "),
    ],
  ];
  const boxes = incident.objects
    .map(
      (o) =>
        `<rect class="box" x="${num(o.box.x1)}" y="${num(o.box.y1)}" width="${num(Math.max(0, o.box.x2 - o.box.x1))}" height="${num(Math.max(0, o.box.y2 - o.box.y1))}"/>`,
    )
    .join("");
  const snapshots = (incident.snapshots ?? []).map((s) => {
    const name = s.file.slice(s.file.lastIndexOf("/") + 1);
    const bytes = pictures.snapshots.get(name);
    const caption = `snapshots/${e(name)}, ${e(s.captured_at)}, SHA-256 <code>${e(s.sha256)}</code>`;
    if (!bytes) return `<p>${caption}: not in this pack (deleted on the gateway).</p>`;
    return `<figure><div class="frame"><img src="${jpegUri(bytes)}" alt="Snapshot ${e(name)}"/><svg viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">${boxes}</svg></div><figcaption>${caption}. Red: the detected objects.</figcaption></figure>`;
  });
  const clips = (incident.clips ?? []).map((c) => {
    const name = c.file.slice(c.file.lastIndexOf("/") + 1);
    const frames = pictures.strips.get(name) ?? [];
    const gaps =
      c.gaps.length === 0 ? "no gaps" : `not recorded: ${c.gaps.map((g) => `${e(g.start)} to ${e(g.end)}`).join("; ")}`;
    const strip =
      frames.length === 0
        ? "<p>(clip not in this pack)</p>"
        : `<div class="strip">${frames.map((f, i) => `<img src="${jpegUri(f)}" alt="Frame ${i + 1} of ${frames.length} of clips/${e(name)}"/>`).join("")}</div>`;
    return `<figure>${strip}<figcaption>clips/${e(name)}: ${e(c.start)} to ${e(c.end)}, ${c.duration_s} s, ${gaps}; SHA-256 <code>${e(c.sha256)}</code></figcaption></figure>`;
  });
  const rows = incident.history.map((h, i) => {
    const seq = h.actor === "system" ? undefined : auditSeqFor(h, audit, used);
    return `<tr><td>${i + 1}</td><td>${e(h.at)}</td><td>${e(h.actor)}</td><td>${e(h.action)}</td><td>${e(h.before ?? "—")} → ${e(h.after)}</td><td>${e(h.reason ?? "")}</td><td>${e(h.note ?? "")}</td><td>${seq ?? "—"}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Incident ${e(incident.id)}</title><style>${STYLE}</style></head>
<body>
<h1>Incident ${e(incident.id)}</h1>
<p>${e(incident.summary)}</p>
<dl>${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join("")}</dl>
<h2>Snapshots</h2>
${snapshots.length === 0 ? "<p>None.</p>" : snapshots.join("\n")}
<h2>Video clips</h2>
${clips.length === 0 ? "<p>None.</p>" : `<p>Frames taken evenly across each clip; the clips themselves are the MP4 files in <code>clips/</code>.</p>\n${clips.join("\n")}`}
<h2>Decisions</h2>
<table><thead><tr><th>#</th><th>When</th><th>Who</th><th>Action</th><th>Before → After</th><th>Reason</th><th>Note</th><th>Audit seq</th></tr></thead>
<tbody>${rows.join("")}</tbody></table>
<p>${audit.length === 0 ? "No audit entries." : `Audit entries: seqs ${audit.map((a) => a.seq).join(", ")} (full entries with their MACs in audit.json).`}</p>
<h2>How to verify this pack</h2>
<ol>
<li>Every file's SHA-256 and size are in <code>manifest.json</code>; <code>manifest.jws</code> is the gateway's Ed25519 signature over it (JWS, <code>typ: vigil-evidence</code>).</li>
<li>Get the gateway's public key from its operator (<code>vigil audit pubkey</code> on the gateway prints it as a JWK).</li>
<li>Run <code>vigil evidence verify PACK.zip --pubkey KEY.jwk</code>: it checks the signature, that the signed manifest is the one in the pack, and each file; any changed, missing or extra file is named.</li>
<li>Without Vigil: check the JWS with any JOSE library and the key, then compare <code>sha256sum</code> of each file with the manifest.</li>
</ol>
<p>Exported ${e(meta.createdAt)} by ${e(meta.createdBy)}.</p>
</body></html>
`;
}
