/**
 * Distinguished names as text, in the forms Vigil meets them: config (`CN=lobby,OU=camera,O=hq`),
 * Node's `X509Certificate.subject` (one attribute per line) and @peculiar/x509 (`CN=lobby, ...`).
 * Comparison ignores attribute order, since people write the most specific attribute first and
 * certificates store it last, and long attribute names (`commonName`) equal their short forms.
 */

export interface DnAttribute {
  readonly type: string;
  readonly value: string;
}

const ALIASES: Readonly<Record<string, string>> = {
  COMMONNAME: "CN",
  ORGANIZATIONNAME: "O",
  ORGANIZATIONALUNITNAME: "OU",
  COUNTRYNAME: "C",
  LOCALITYNAME: "L",
  STATEORPROVINCENAME: "ST",
  S: "ST",
  EMAIL: "EMAILADDRESS",
  E: "EMAILADDRESS",
  SERIALNUMBER: "SERIALNUMBER",
};

function canonicalType(type: string): string {
  const upper = type.trim().toUpperCase();
  return ALIASES[upper] ?? upper;
}

/** Splits on unescaped `,`, `;`, `+` or newlines, and undoes `\,` and `\XX` escapes. */
export function parseDistinguishedName(text: string): DnAttribute[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === "\\" && i + 1 < text.length) {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        current += String.fromCharCode(parseInt(hex, 16));
        i += 2;
      } else {
        current += text[i + 1] ?? "";
        i += 1;
      }
    } else if (ch === "," || ch === ";" || ch === "+" || ch === "\n") {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  const attributes: DnAttribute[] = [];
  for (const part of parts) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`"${part.trim()}" is not TYPE=value`);
    attributes.push({ type: canonicalType(part.slice(0, eq)), value: part.slice(eq + 1).trim() });
  }
  return attributes;
}

/** Same attributes with the same values (values compare exactly), in any order. */
export function sameDistinguishedName(a: readonly DnAttribute[], b: readonly DnAttribute[]): boolean {
  if (a.length !== b.length) return false;
  const key = (x: DnAttribute): string => `${x.type}=${x.value}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}

/** Every value of one attribute type (`CN`, `OU`, ...). */
export function dnValues(dn: readonly DnAttribute[], type: string): string[] {
  const wanted = canonicalType(type);
  return dn.filter((a) => a.type === wanted).map((a) => a.value);
}

/** `CN=lobby, OU=camera, O=hq`: commas and backslashes in values escaped. */
export function formatDistinguishedName(dn: readonly DnAttribute[]): string {
  return dn.map((a) => `${a.type}=${a.value.replace(/([\\,;+=\n])/g, "\\$1")}`).join(", ");
}
