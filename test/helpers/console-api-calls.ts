// The API routes the console reads JSON from, found in its source: every `json<T>(path, init)`
// call (the typed readers in console/src/api) and every `GetOk<"/path">`-style type it derives
// from the OpenAPI document. Paths come back in OpenAPI form (`/v1/cameras/{}`), queries dropped.

export interface ConsoleCall {
  readonly method: string;
  readonly path: string;
  readonly file: string;
}

/** `${...}` in a template literal, with its nested braces and templates skipped: returns the index after the closing brace. */
function skipExpression(src: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < src.length && depth > 0) {
    const c = src[i];
    if (c === "`") i = skipTemplate(src, i + 1).end;
    else if (c === '"' || c === "'") i = src.indexOf(c, i + 1) + 1;
    else {
      if (c === "{") depth++;
      if (c === "}") depth--;
      i++;
    }
  }
  return i;
}

/** A template literal from after its opening backtick: its text with each `${expr}` as `{expr}`. */
function skipTemplate(src: string, from: number): { text: string; end: number } {
  let text = "";
  let i = from;
  while (i < src.length && src[i] !== "`") {
    if (src.startsWith("${", i)) {
      const end = skipExpression(src, i + 2);
      text += `{${src.slice(i + 2, end - 1)}}`;
      i = end;
    } else {
      text += src[i];
      i++;
    }
  }
  return { text, end: i + 1 };
}

/** A path as written (`/v1/cameras/{seg(id)}/keys?x`) in OpenAPI form; `at(id)` is cameras.ts's `/v1/cameras/:id`. */
export function toOpenApiPath(raw: string): string {
  const expanded = raw.replace(/^\{at\([^)]*\)\}/, "/v1/cameras/{}").replace(/^at\([^)]*\)$/, "/v1/cameras/{}");
  // An expression after a `/` is a path parameter; elsewhere it builds the query string.
  const withParams = expanded.replace(/\/\{[^/]*\}/g, "/{}").replace(/(?<!\/)\{[^/]*\}$/, "");
  return withParams.split("?")[0] ?? withParams;
}

/** Skips a balanced `<...>` from its opening bracket; returns the index after the closing one. */
function skipTypeArgs(src: string, from: number): number {
  let depth = 0;
  let i = from;
  do {
    const c = src[i];
    if (c === '"') i = src.indexOf('"', i + 1);
    else if (c === "<") depth++;
    else if (c === ">") depth--;
    i++;
  } while (i < src.length && depth > 0);
  return i;
}

export function consoleCalls(file: string, src: string): ConsoleCall[] {
  const calls: ConsoleCall[] = [];
  for (let at = src.indexOf("json<"); at >= 0; at = src.indexOf("json<", at + 1)) {
    const open = skipTypeArgs(src, at + 4);
    if (src[open] !== "(") continue; // the reader's own declaration, `json<T>(path: string, ...)`
    // The formatter may break the line after `(`: the path is the first non-blank character on.
    let argAt = open + 1;
    while (/\s/.test(src[argAt] ?? "")) argAt++;
    let raw: string;
    let after: number;
    if (src[argAt] === "`") {
      const t = skipTemplate(src, argAt + 1);
      raw = t.text;
      after = t.end;
    } else if (src[argAt] === '"') {
      after = src.indexOf('"', argAt + 1) + 1;
      raw = src.slice(argAt + 1, after - 1);
    } else {
      const m = /^[A-Za-z_]+\([^)]*\)/.exec(src.slice(argAt));
      if (!m) continue; // `json<T>(path: string`: a declaration, not a call
      raw = m[0];
      after = argAt + m[0].length;
    }
    // The init object may start on the next line (`\s` spans line breaks).
    const rest = src.slice(after, after + 300);
    const method = /^\s*,\s*\{\s*method:\s*"([A-Z]+)"/.exec(rest)?.[1] ?? "GET";
    calls.push({ method, path: toOpenApiPath(raw), file });
  }
  const typed: ReadonlyArray<[RegExp, string]> = [
    [/GetOk<"([^"]+)">/g, "GET"],
    [/PostOk<"([^"]+)">/g, "POST"],
    [/PostCreated<"([^"]+)">/g, "POST"],
    [/PatchOk<"([^"]+)">/g, "PATCH"],
  ];
  for (const [re, method] of typed)
    for (const m of src.matchAll(re))
      if (m[1] !== undefined && !m[1].includes("P extends"))
        calls.push({ method, path: m[1].replace(/\{[^}]*\}/g, "{}"), file });
  return calls;
}
