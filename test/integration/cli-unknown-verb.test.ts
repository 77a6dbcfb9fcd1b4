// `vigil <unknown verb>` exits 2 with the closest verb, with --help or without, so a script can
// tell a missing verb from a present one; a known verb's --help still exits 0.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../helpers/daemon.js";

void describe("vigil with an unknown verb", () => {
  for (const args of [["helth"], ["helth", "--help"], ["helth", "-h"]]) {
    void it(`vigil ${args.join(" ")} exits 2 and suggests health`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /unknown command 'helth'/);
      assert.match(r.stderr, /Did you mean 'vigil health'\?/);
      assert.doesNotMatch(r.stdout, /Usage:/, "no top-level help that a script could mistake for success");
    });
  }
  void it("vigil camera lst --help exits 2 and suggests camera list", async () => {
    const r = await runCli(["camera", "lst", "--help"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Did you mean 'vigil camera list'\?/);
  });
  void it("a known verb's --help exits 0 with its usage", async () => {
    const r = await runCli(["health", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: vigil health/);
  });
});
