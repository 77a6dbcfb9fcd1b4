import assert from "node:assert/strict";
import { type ErrorCode, VigilError } from "../../src/core/errors.js";

function check(caught: unknown, code: ErrorCode): VigilError {
  assert.ok(caught instanceof VigilError, `expected a VigilError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

/** Runs `fn`, which must throw a VigilError with `code`; returns it for further checks. */
export function expectVigil(fn: () => unknown, code: ErrorCode): VigilError {
  try {
    fn();
  } catch (err) {
    return check(err, code);
  }
  return check(undefined, code);
}

/** Awaits `work`, which must reject with a VigilError with `code`; returns it. */
export async function expectVigilAsync(work: Promise<unknown>, code: ErrorCode): Promise<VigilError> {
  try {
    await work;
  } catch (err) {
    return check(err, code);
  }
  return check(undefined, code);
}
