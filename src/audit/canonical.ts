import canonicalize from "canonicalize";
import { ErrorCodes, VigilError } from "../core/errors.js";

/**
 * RFC 8785 (JCS) text of a JSON value: the bytes the audit MAC covers. A MAC is only checkable by
 * someone else (central, `vigil audit verify`, a court) if every party encodes the same value to
 * the same bytes, whatever key order or number spelling the value arrived in; JCS fixes both.
 *
 * Refuses what JSON cannot carry faithfully (NaN, Infinity, lone surrogates, cycles, a bare
 * `undefined`) rather than MAC a value that would read back differently.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    throw new VigilError(ErrorCodes.VALIDATION, `value has no canonical JSON form: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (text === undefined) throw new VigilError(ErrorCodes.VALIDATION, "value has no canonical JSON form: undefined");
  return text;
}
