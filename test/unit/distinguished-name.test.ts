// Subjects written in config, printed by Node and built by the PKI compare alike.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  dnValues,
  formatDistinguishedName,
  parseDistinguishedName,
  sameDistinguishedName,
} from "../../src/auth/pki/distinguished-name.js";

void describe("distinguished names", () => {
  void it("parses config style, Node's one-per-line style and long attribute names", () => {
    const config = parseDistinguishedName("CN=lobby,OU=camera,O=hq");
    assert.deepEqual(config, [
      { type: "CN", value: "lobby" },
      { type: "OU", value: "camera" },
      { type: "O", value: "hq" },
    ]);
    assert.ok(
      sameDistinguishedName(config, parseDistinguishedName("O=hq\nOU=camera\nCN=lobby")),
      "order does not matter",
    );
    assert.ok(
      sameDistinguishedName(config, parseDistinguishedName("commonName = lobby, organizationalUnitName=camera; o=hq")),
    );
  });

  void it("undoes escapes and keeps values exact", () => {
    assert.deepEqual(parseDistinguishedName("CN=a\\,b,O=x\\2Cy"), [
      { type: "CN", value: "a,b" },
      { type: "O", value: "x,y" },
    ]);
    const dn = [
      { type: "CN", value: "a,b" },
      { type: "O", value: "x" },
    ];
    assert.deepEqual(parseDistinguishedName(formatDistinguishedName(dn)), dn);
    assert.equal(
      sameDistinguishedName(parseDistinguishedName("CN=Lobby"), parseDistinguishedName("CN=lobby")),
      false,
      "values are case-sensitive",
    );
  });

  void it("counts attributes: a missing or an extra one is a different name", () => {
    const base = parseDistinguishedName("CN=lobby,OU=camera,O=hq");
    assert.equal(sameDistinguishedName(base, parseDistinguishedName("CN=lobby,OU=camera")), false);
    assert.equal(sameDistinguishedName(base, parseDistinguishedName("CN=lobby,OU=camera,O=hq,OU=camera")), false);
    assert.deepEqual(dnValues(parseDistinguishedName("OU=a,OU=b,CN=x"), "ou"), ["a", "b"]);
  });

  void it("refuses a part that is not TYPE=value", () => {
    assert.throws(() => parseDistinguishedName("lobby"));
    assert.throws(() => parseDistinguishedName("CN=lobby,=x"));
  });
});
