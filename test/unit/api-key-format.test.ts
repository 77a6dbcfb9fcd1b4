// The API key format `vk_<keyId>_<secret>`: what the parser accepts is exactly what the formatter
// writes, and nothing else gets through it (or makes it throw).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  API_KEY_LENGTH,
  digestApiKey,
  formatApiKey,
  generateApiKey,
  isKeyId,
  parseApiKey,
  SECRET_BYTES,
  KEY_ID_LENGTH,
} from "../../src/auth/api-keys/api-key-format.js";

/** A random source that hands out the given buffers in order (generateApiKey asks for the id, then the secret). */
function scripted(...buffers: Uint8Array[]): (size: number) => Buffer {
  return (size) => {
    const next = buffers.shift();
    assert.ok(next && next.length === size, `asked for ${size} bytes`);
    return Buffer.from(next);
  };
}

const idBytes = fc.uint8Array({ minLength: KEY_ID_LENGTH, maxLength: KEY_ID_LENGTH });
const secretBytes = fc.uint8Array({ minLength: SECRET_BYTES, maxLength: SECRET_BYTES });
const generatedKey = fc.tuple(idBytes, secretBytes).map(([id, secret]) => generateApiKey(scripted(id, secret)));
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Characters that may appear anywhere in a key, and some that never may. */
const anyChar = fc.constantFrom(..."ABCXYZabcxyz0123456789-_+/=. \n\u00e9%:".split(""));

/** Either undefined, or the parts re-format to exactly the input: the parser's whole contract. */
function parsesToItself(s: unknown): boolean {
  const parts = parseApiKey(s);
  return parts === undefined || formatApiKey(parts) === s;
}

void describe("api key format", () => {
  void it("generated keys have the documented shape and their digest is SHA-256 hex of the whole key", () => {
    const key = generateApiKey();
    assert.match(key.plaintext, /^vk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(key.plaintext.length, API_KEY_LENGTH);
    assert.equal(Buffer.from(key.secret, "base64url").length, 32);
    assert.match(key.digest, /^[0-9a-f]{64}$/);
    assert.equal(key.digest, digestApiKey(key.plaintext));
    assert.ok(isKeyId(key.keyId));
    const many = new Set(Array.from({ length: 200 }, () => generateApiKey().keyId));
    assert.equal(many.size, 200);
  });

  void it("format and parse round-trip for every id and secret the generator can produce", () => {
    fc.assert(
      fc.property(generatedKey, (key) => {
        const parts = parseApiKey(key.plaintext);
        assert.deepEqual(parts, { keyId: key.keyId, secret: key.secret });
        assert.equal(formatApiKey(parts), key.plaintext);
      }),
      { numRuns: 500 },
    );
  });

  void it("parse accepts nothing that does not re-format to itself, and never throws", () => {
    fc.assert(fc.property(fc.anything(), (value) => parsesToItself(value)));
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => parsesToItself(s)));
    // Strings shaped almost like keys, where a sloppy parser would slip.
    const nearKey = fc.tuple(
      fc.constantFrom("vk", "VK", "vk_", "v", ""),
      fc.string({ unit: anyChar, minLength: 14, maxLength: 18 }),
      fc.string({ unit: anyChar, minLength: 40, maxLength: 46 }),
    );
    fc.assert(fc.property(nearKey, ([p, id, secret]) => parsesToItself(`${p}_${id}_${secret}`)));
  });

  void it("truncation, extension, insertion and deletion are all rejected", () => {
    fc.assert(
      fc.property(
        generatedKey,
        fc.nat(),
        fc.string({ unit: anyChar, minLength: 1, maxLength: 4 }),
        (key, at, extra) => {
          const s = key.plaintext;
          const i = at % s.length;
          assert.equal(parseApiKey(s.slice(0, i)), undefined);
          assert.equal(parseApiKey(s + extra), undefined);
          assert.equal(parseApiKey(extra + s), undefined);
          assert.equal(parseApiKey(s.slice(0, i) + extra + s.slice(i)), undefined);
          assert.equal(parseApiKey(s.slice(0, i) + s.slice(i + 1)), undefined);
          assert.equal(parseApiKey(` ${s}`), undefined);
          assert.equal(parseApiKey(`${s}\n`), undefined);
        },
      ),
    );
  });

  void it("a substituted character is rejected unless the result is itself a well-formed key of different parts", () => {
    fc.assert(
      fc.property(generatedKey, fc.nat(), anyChar, (key, at, c) => {
        const s = key.plaintext;
        const i = at % s.length;
        fc.pre(s[i] !== c);
        const mutated = s.slice(0, i) + c + s.slice(i + 1);
        const parts = parseApiKey(mutated);
        if (i < 3 || i === 19) assert.equal(parts, undefined, "prefix and separators are fixed");
        if (i >= 3 && i < 19 && !/[a-z2-7]/.test(c)) assert.equal(parts, undefined, "the id is lower-case base32");
        if (parts) {
          assert.equal(formatApiKey(parts), mutated);
          assert.notDeepEqual(parts, { keyId: key.keyId, secret: key.secret });
        }
      }),
    );
  });

  void it("a secret whose last character carries bits beyond the 256 is rejected", () => {
    fc.assert(
      fc.property(generatedKey, fc.constantFrom(...BASE64URL.split("")), (key, last) => {
        const mutated = key.plaintext.slice(0, -1) + last;
        const canonical = BASE64URL.indexOf(last) % 4 === 0;
        assert.equal(parseApiKey(mutated) !== undefined, canonical);
        if (canonical)
          assert.equal(Buffer.from(mutated.slice(-43), "base64url").toString("base64url"), mutated.slice(-43));
      }),
    );
  });

  void it("key ids: lower-case base32, exactly 16 characters", () => {
    assert.ok(isKeyId("abcdefghijklmn23"));
    for (const bad of [
      "",
      "abcdefghijklmn2",
      "abcdefghijklmn234",
      "ABCDEFGHIJKLMN23",
      "abcdefghijklmn01",
      "abcdefghijklmn2_",
      42,
      null,
    ])
      assert.equal(isKeyId(bad), false);
  });
});
