// What a hostile topic, site, gateway or command name can reach: state keys and file names built
// from a received topic stay within one <site>/<gateway>/<stream>; partitions and audiences cannot
// smuggle wildcards or extra levels into a subscription or a command topic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { generateCentralKeyPair, signCommand } from "../../src/central/commands.js";
import { consumerFilters, parseStreamTopic, streamKey } from "../../src/central/topics.js";
import { ErrorCodes, isVigilError } from "../../src/core/errors.js";

void describe("central topics", () => {
  void it("parses only <prefix>/<site>/<gateway>/<stream> with safe levels", () => {
    assert.deepEqual(parseStreamTopic("vigil", "vigil/hq/gw-01/audit"), {
      site: "hq",
      gateway: "gw-01",
      stream: "audit",
    });
    assert.deepEqual(parseStreamTopic("vigil/acme", "vigil/acme/hq/gw-01/incidents"), {
      site: "hq",
      gateway: "gw-01",
      stream: "incidents",
    });
    for (const bad of [
      "vigil/../gw/audit",
      "vigil/hq/../audit",
      "vigil/hq/gw/audit/x",
      "vigil/hq/gw/status",
      "vigil/HQ/gw/audit",
      "vigil/hq/gw",
      "other/hq/gw/audit",
      "vigil/hq/g w/audit",
      "vigil//gw/audit",
    ]) {
      assert.equal(parseStreamTopic("vigil", bad), undefined, bad);
    }
  });

  void it("never yields a state key with a path separator beyond its two, or a dot-dot level", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "/", ".", "+", "#", "-", "_", "1", "..", "incidents", "audit", "vigil"), {
          maxLength: 12,
        }),
        (parts) => {
          const t = parseStreamTopic("vigil", parts.join(""));
          if (!t) return;
          const key = streamKey(t);
          assert.equal(key.split("/").length, 3);
          assert.ok(!key.split("/").includes(".."));
          assert.match(key, /^[a-z0-9_-]+\/[a-z0-9_-]+\/(incidents|audit|alerts)$/);
        },
      ),
    );
  });

  void it("refuses partitions that are not <site>/<gateway> with + wildcards", () => {
    assert.deepEqual(consumerFilters({ prefix: "vigil", partitions: ["hq/+"], streams: ["audit"], group: "c" }), [
      "$share/c/vigil/hq/+/audit",
    ]);
    for (const bad of ["#", "hq/#", "hq", "hq/+/x", "../gw", "hq/gw-01/cmd"]) {
      assert.throws(() => consumerFilters({ prefix: "vigil", partitions: [bad], streams: ["audit"] }), RangeError, bad);
    }
  });

  void it("signs commands only for a plain <site>/<gateway> audience and a command name", async () => {
    const { privatePem } = generateCentralKeyPair();
    for (const audience of ["hq/+", "hq/#", "../gw", "hq/gw/cmd", "hq"]) {
      await assert.rejects(
        signCommand(privatePem, { name: "health.request", audience }),
        (err) => isVigilError(err, ErrorCodes.VALIDATION),
        audience,
      );
    }
    for (const name of ["a/b", "#", "+", "../x", ""]) {
      await assert.rejects(
        signCommand(privatePem, { name, audience: "hq/gw-01" }),
        (err) => isVigilError(err, ErrorCodes.VALIDATION),
        name,
      );
    }
  });
});
