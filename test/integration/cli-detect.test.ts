// `vigil detect`: the box's configured detector (real NanoDet) on darknet's person.jpg with a
// camera's zones and rules, the annotated picture written by ffmpeg, and the errors an installer
// meets. The same regions the daemon runs: a whole-frame pass, then a crop around what it found.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { runCli } from "../helpers/daemon.js";
import { fixturePath, requireFixtures } from "../helpers/rtsp-server.js";
import { ROOT } from "../helpers/repo-root.js";

const run = promisify(execFile);

void describe("vigil detect (real NanoDet, ffmpeg)", () => {
  let dir: string;
  let configPath: string;

  before(async () => {
    requireFixtures();
    dir = await mkdtemp(join(tmpdir(), "vigil-detect-"));
    configPath = join(dir, "vigil.yaml");
    await writeFile(
      configPath,
      stringify({
        site: "hq",
        gateway: "gw-detect",
        data_dir: join(dir, "data"),
        secrets_dir: join(dir, "secrets"),
        models_dir: join(ROOT, "models"),
        cameras: [
          {
            id: "gate",
            url: "rtsp://127.0.0.1:1/none",
            zones: [
              {
                id: "field",
                name: "Field",
                polygon: [
                  [0, 0.5],
                  [1, 0.5],
                  [1, 1],
                  [0, 1],
                ],
              },
            ],
          },
        ],
        rules: { zones: [{ id: "no-entry", kind: "restricted", camera: "gate", zone: "field" }] },
      }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it("finds the person, says which zone and rule they would trigger, and draws the regions", async () => {
    const out = join(dir, "annotated.png");
    const r = await runCli([
      "detect",
      fixturePath("photos", "person.jpg"),
      "--config",
      configPath,
      "--camera",
      "gate",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout) as {
      working_size: { width: number; height: number };
      passes: Array<{ regions: Array<{ kind: string }> }>;
      detections: Array<{ label: string; score: number; zones: Array<{ zone: string; rules: string[] }> }>;
    };
    assert.deepEqual(result.working_size, { width: 640, height: 424 });
    assert.deepEqual(
      result.passes.map((p) => p.regions.map((g) => g.kind)),
      [["full"], ["crop"]],
    );
    const person = result.detections.find((d) => d.label === "person");
    assert.ok(person && person.score >= 0.35, r.stdout);
    assert.deepEqual(person.zones, [{ zone: "field", rules: ["no-entry"] }]);
    const probe = await run("ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", out]);
    assert.equal(probe.stdout.trim(), "640,424");
  });

  void it("a camera the config does not have, or a file that is not a JPEG, is a coded error", async () => {
    const missing = await runCli([
      "detect",
      fixturePath("photos", "person.jpg"),
      "--config",
      configPath,
      "--camera",
      "nope",
      "--json",
    ]);
    assert.equal(missing.code, 1);
    assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, "VIGIL_E_NOT_FOUND");
    const notJpeg = join(dir, "not.jpg");
    await writeFile(notJpeg, "hello");
    const bad = await runCli(["detect", notJpeg, "--config", configPath, "--json"]);
    assert.notEqual(bad.code, 0);
    assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, "VIGIL_E_VALIDATION");
  });
});
