import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordPolicyViolations } from "../../src/auth/password-policy.js";

const upper = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖ");
const lower = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzäöß");
const digit = fc.constantFrom(..."0123456789");
const symbol = fc.constantFrom(..."!@#$%^&*()-_=+[]{};:,.<>/?~");
const any = fc.oneof(upper, lower, digit, symbol);

/** A password built to satisfy every rule: one of each class, then filler up to a valid length. */
const goodPassword = fc
  .tuple(upper, lower, digit, symbol, fc.array(any, { minLength: PASSWORD_MIN_LENGTH - 4, maxLength: 60 }))
  .chain(([u, l, d, s, rest]) =>
    fc.shuffledSubarray([u, l, d, s, ...rest], { minLength: rest.length + 4, maxLength: rest.length + 4 }),
  )
  .map((chars) => chars.join(""));

void describe("password policy", () => {
  void it("accepts any password with every character class and a valid length", () => {
    fc.assert(fc.property(goodPassword, (pw) => passwordPolicyViolations(pw, "some-user").length === 0));
  });

  void it("refuses a password missing any one class, naming that class", () => {
    const classes = [
      { name: "an upper-case letter", strip: /\p{Lu}/gu },
      { name: "a lower-case letter", strip: /\p{Ll}/gu },
      { name: "a digit", strip: /\p{Nd}/gu },
      { name: "a symbol", strip: /[^\p{L}\p{Nd}\s]/gu },
    ];
    fc.assert(
      fc.property(goodPassword, fc.constantFrom(...classes), (pw, cls) => {
        return passwordPolicyViolations(pw.replace(cls.strip, ""), "some-user").includes(cls.name);
      }),
    );
  });

  void it("refuses anything shorter than the minimum or longer than the maximum", () => {
    fc.assert(
      fc.property(goodPassword, fc.nat({ max: PASSWORD_MIN_LENGTH - 1 }), (pw, n) =>
        passwordPolicyViolations(pw.slice(0, n), "u").includes(`at least ${PASSWORD_MIN_LENGTH} characters`),
      ),
    );
    assert.ok(
      passwordPolicyViolations(`Aa1!${"x".repeat(PASSWORD_MAX_LENGTH)}`, "u").includes(
        `at most ${PASSWORD_MAX_LENGTH} characters`,
      ),
    );
  });

  void it("refuses the username as the password, whatever its case", () => {
    fc.assert(
      fc.property(goodPassword, (pw) =>
        passwordPolicyViolations(pw, pw.toLowerCase()).includes("different from the username"),
      ),
    );
  });

  void it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string(), (pw, user) =>
        Array.isArray(passwordPolicyViolations(pw, user)),
      ),
    );
  });
});
