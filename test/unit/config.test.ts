// Configuration loading as an installer meets it: defaults, validation errors that name the key,
// VIGIL__ environment overrides, relative paths, and the exit code systemd must not restart on.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { buildConfig, loadConfig } from "../../src/config/loader.js";
import { EnvOverrideError, resolveEnvOverride } from "../../src/config/env-overrides.js";
import { ConfigSchema, type VigilConfig } from "../../src/config/schema.js";
import { matchThresholdFor } from "../../src/compose/watchlist.js";
import { ErrorCodes, ExitCodes, exitCodeFor, VigilError } from "../../src/core/errors.js";
import { PACKAGE_ROOT } from "../../src/core/version.js";
import { expectVigil, expectVigilAsync } from "../helpers/expect-vigil.js";

const MINIMAL = { site: "hq", gateway: "gw-01" };
const BASE = "/etc/vigil";

/** CONFIG_INVALID whose details.path is `path` and whose message names it. */
function expectInvalidAt(raw: unknown, env: NodeJS.ProcessEnv, path: string): VigilError {
  const err = expectVigil(() => buildConfig(raw, env, BASE), ErrorCodes.CONFIG_INVALID);
  assert.equal(err.details?.path, path);
  assert.ok(err.message.includes(path), `message should name ${path}: ${err.message}`);
  return err;
}

void describe("buildConfig: defaults and freezing", () => {
  void it("fills every default from the schema for a minimal document", () => {
    const config = buildConfig(MINIMAL, {}, BASE);
    assert.equal(config.site, "hq");
    assert.equal(config.gateway, "gw-01");
    assert.equal(config.data_dir, "/var/lib/vigil");
    assert.equal(config.secrets_dir, "/etc/vigil/secrets");
    assert.equal(config.models_dir, resolve(PACKAGE_ROOT, "models"));
    assert.equal(config.log.level, "info");
    assert.equal(config.http.listen, "127.0.0.1:8080");
    assert.deepEqual(config.mqtt.brokers, []);
    assert.equal(config.mqtt.topic_prefix, "vigil");
    assert.equal(config.mqtt.client_id, "vigil-hq-gw-01");
    assert.equal(config.mqtt.keepalive_s, 30);
    assert.equal(config.mqtt.embedded.enabled, false);
    assert.equal(config.detector.threads, 2);
    assert.equal(config.rules.face_presence.min_frames, 3);
    assert.equal(config.rules.face_presence.clear_frames, 10);
    assert.deepEqual(config.cameras, []);
    assert.equal(config.faces.embedding_model, "dlib-resnet-150");
    // Unset: the embedding model's own measured threshold applies (matchThresholdFor).
    assert.equal(config.faces.match_threshold, undefined);
  });

  void it("defaults camera fields and keeps what the document set", () => {
    const config = buildConfig(
      { ...MINIMAL, cameras: [{ id: "door", url: "rtsp://10.0.0.5/s1" }], mqtt: { client_id: "mine" } },
      {},
      BASE,
    );
    const cam = config.cameras[0];
    assert.ok(cam);
    assert.equal(cam.enabled, true);
    assert.equal(cam.detect.fps, 5);
    assert.equal(config.mqtt.client_id, "mine");
  });

  void it("returns a deeply frozen object: assignments throw (ESM is strict mode)", () => {
    const config = buildConfig({ ...MINIMAL, cameras: [{ id: "door", url: "rtsp://10.0.0.5/s1" }] }, {}, BASE);
    assert.throws(() => {
      (config as VigilConfig).site = "other";
    }, TypeError);
    assert.throws(() => {
      config.http.listen = "0.0.0.0:1";
    }, TypeError);
    assert.throws(() => {
      config.mqtt.embedded.enabled = true;
    }, TypeError);
    assert.throws(
      () =>
        config.cameras.push({ id: "x", url: "rtsp://x/", enabled: true, detect: { fps: 1 }, push: { auth: "either" } }),
      TypeError,
    );
    const cam = config.cameras[0];
    assert.ok(cam);
    assert.throws(() => {
      cam.detect.fps = 30;
    }, TypeError);
    assert.equal(config.http.listen, "127.0.0.1:8080");
  });

  void it("does not modify the caller's document", () => {
    const raw = { ...MINIMAL, http: { listen: "127.0.0.1:9000" } };
    const snapshot = structuredClone(raw);
    buildConfig(raw, { VIGIL__HTTP__LISTEN: "0.0.0.0:1" }, BASE);
    assert.deepEqual(raw, snapshot);
    assert.ok(!Object.isFrozen(raw));
  });
});

void describe("buildConfig: validation errors name the key", () => {
  void it("a camera URL with an unsupported scheme -> cameras[0].url", () => {
    expectInvalidAt({ ...MINIMAL, cameras: [{ id: "door", url: "ftp://10.0.0.5/s1" }] }, {}, "cameras[0].url");
  });

  void it("a malformed listen address -> http.listen", () => {
    expectInvalidAt({ ...MINIMAL, http: { listen: "localhost" } }, {}, "http.listen");
  });

  void it("an unknown key -> its dotted path", () => {
    expectInvalidAt({ ...MINIMAL, mqtt: { brokerz: ["mqtt://a"] } }, {}, "mqtt.brokerz");
    expectInvalidAt(
      { ...MINIMAL, cameras: [{ id: "a", url: "rtsp://a/", detect: { fsp: 5 } }] },
      {},
      "cameras[0].detect.fsp",
    );
  });

  void it("a missing required key and a wrong type are refused", () => {
    expectInvalidAt({ gateway: "gw-01" }, {}, "site");
    expectInvalidAt({ ...MINIMAL, detector: { threads: "two" } }, {}, "detector.threads");
    expectInvalidAt({ ...MINIMAL, detector: { threads: 65 } }, {}, "detector.threads");
  });

  void it("a document that is not a mapping is refused", () => {
    for (const raw of [null, 42, "site: hq", ["site"]])
      expectVigil(() => buildConfig(raw, {}, BASE), ErrorCodes.CONFIG_INVALID);
  });

  void it("a duplicate camera id names the second occurrence", () => {
    const cameras = [
      { id: "door", url: "rtsp://10.0.0.5/s1" },
      { id: "yard", url: "rtsp://10.0.0.6/s1" },
      { id: "door", url: "rtsp://10.0.0.7/s1" },
    ];
    expectInvalidAt({ ...MINIMAL, cameras }, {}, "cameras[2].id");
  });

  void it("credentials written into a camera URL are refused", () => {
    for (const url of [
      "rtsp://admin:hunter2@10.0.0.5/s1",
      "rtsp://admin@10.0.0.5:554/s1",
      "HTTP://u:p@cam.local/mjpeg",
    ]) {
      expectInvalidAt({ ...MINIMAL, cameras: [{ id: "door", url }] }, {}, "cameras[0].url");
    }
    // An @ in the path is not userinfo.
    const ok = buildConfig({ ...MINIMAL, cameras: [{ id: "door", url: "rtsp://10.0.0.5/live@main" }] }, {}, BASE);
    assert.equal(ok.cameras[0]?.url, "rtsp://10.0.0.5/live@main");
  });
});

void describe("buildConfig: VIGIL__ environment overrides", () => {
  void it("overrides a string, a list, a number and a boolean inside an array", () => {
    const raw = { ...MINIMAL, cameras: [{ id: "door", url: "rtsp://10.0.0.5/s1" }] };
    const config = buildConfig(
      raw,
      {
        VIGIL__HTTP__LISTEN: "0.0.0.0:9090",
        VIGIL__MQTT__BROKERS: "mqtt://a:1883, mqtts://b:8883",
        VIGIL__MQTT__ALLOW_PLAIN: "true",
        VIGIL__DETECTOR__THREADS: "4",
        VIGIL__CAMERAS__0__ENABLED: "false",
        PATH: "/usr/bin",
        VIGIL_CONFIG: "/elsewhere.yaml",
      },
      BASE,
    );
    assert.equal(config.http.listen, "0.0.0.0:9090");
    assert.deepEqual(config.mqtt.brokers, ["mqtt://a:1883", "mqtts://b:8883"]);
    assert.equal(config.detector.threads, 4);
    assert.equal(config.cameras[0]?.enabled, false);
    assert.equal(config.cameras[0]?.url, "rtsp://10.0.0.5/s1");
  });

  void it("a JSON list is accepted for an array key", () => {
    const config = buildConfig(MINIMAL, { VIGIL__MQTT__BROKERS: '["mqtts://a:8883"]' }, BASE);
    assert.deepEqual(config.mqtt.brokers, ["mqtts://a:8883"]);
  });

  void it("an override wins over the document", () => {
    const config = buildConfig(
      { ...MINIMAL, http: { listen: "127.0.0.1:1" } },
      { VIGIL__HTTP__LISTEN: "127.0.0.1:2" },
      BASE,
    );
    assert.equal(config.http.listen, "127.0.0.1:2");
  });

  void it("a misspelt variable is CONFIG_INVALID naming the variable", () => {
    expectInvalidAt(MINIMAL, { VIGIL__HTTP__LISTN: "0.0.0.0:1" }, "VIGIL__HTTP__LISTN");
    expectInvalidAt(MINIMAL, { VIGIL__HTPP__LISTEN: "0.0.0.0:1" }, "VIGIL__HTPP__LISTEN");
    expectInvalidAt(MINIMAL, { VIGIL__HTTP____LISTEN: "0.0.0.0:1" }, "VIGIL__HTTP____LISTEN");
  });

  void it("a non-number for a number key is CONFIG_INVALID naming the variable", () => {
    for (const bad of ["four", "", "  ", "NaN", "Infinity"])
      expectInvalidAt(MINIMAL, { VIGIL__DETECTOR__THREADS: bad }, "VIGIL__DETECTOR__THREADS");
  });

  void it("a non-boolean for a boolean key is CONFIG_INVALID naming the variable", () => {
    expectInvalidAt(MINIMAL, { VIGIL__MQTT__EMBEDDED__ENABLED: "maybe" }, "VIGIL__MQTT__EMBEDDED__ENABLED");
  });

  void it("an override value is validated like the document (path of the key)", () => {
    expectInvalidAt(MINIMAL, { VIGIL__HTTP__LISTEN: "not-an-address" }, "http.listen");
    expectInvalidAt(MINIMAL, { VIGIL__DETECTOR__THREADS: "0" }, "detector.threads");
  });
});

void describe("resolveEnvOverride (property)", () => {
  const hostArb = fc.oneof(fc.domain(), fc.ipV4(), fc.constant("localhost"));
  const listenArb = fc.tuple(hostArb, fc.integer({ min: 0, max: 65535 })).map(([h, p]) => `${h}:${p}`);
  // Segment case does not matter after the prefix.
  const casing = (word: string): fc.Arbitrary<string> =>
    fc
      .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
      .map((ups) => [...word].map((c, i) => (ups[i] ? c.toUpperCase() : c.toLowerCase())).join(""));

  void it("any host:port for http.listen resolves to the path and the string unchanged", () => {
    fc.assert(
      fc.property(listenArb, casing("http"), casing("listen"), (listen, http, key) => {
        const variable = `VIGIL__${http}__${key}`;
        const o = resolveEnvOverride(ConfigSchema, variable, listen);
        assert.deepEqual(o.path, ["http", "listen"]);
        assert.equal(o.value, listen);
        assert.equal(o.variable, variable);
        assert.equal(buildConfig(MINIMAL, { [variable]: listen }, BASE).http.listen, listen);
      }),
    );
  });

  void it("any integer for detector.threads is coerced to that number; out of range is refused by path", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        const o = resolveEnvOverride(ConfigSchema, "VIGIL__DETECTOR__THREADS", String(n));
        assert.deepEqual(o.path, ["detector", "threads"]);
        assert.equal(o.value, n);
        if (n >= 1 && n <= 64)
          assert.equal(buildConfig(MINIMAL, { VIGIL__DETECTOR__THREADS: String(n) }, BASE).detector.threads, n);
        else expectInvalidAt(MINIMAL, { VIGIL__DETECTOR__THREADS: String(n) }, "detector.threads");
      }),
    );
  });

  void it("any camera index resolves to a numeric array index", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), fc.boolean(), (i, enabled) => {
        const o = resolveEnvOverride(ConfigSchema, `VIGIL__CAMERAS__${i}__ENABLED`, String(enabled));
        assert.deepEqual(o.path, ["cameras", i, "enabled"]);
        assert.equal(o.value, enabled);
      }),
    );
  });

  void it("an unknown key anywhere in the path throws EnvOverrideError naming the variable", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{1,12}$/), (junk) => {
        fc.pre(!["HTTP", "MQTT", "LOG", "DETECTOR", "RULES", "INGEST", "CAMERAS", "SITE", "GATEWAY"].includes(junk));
        const variable = `VIGIL__${junk}__LISTEN`;
        assert.throws(
          () => resolveEnvOverride(ConfigSchema, variable, "x"),
          (err: unknown) => err instanceof EnvOverrideError && err.variable === variable,
        );
      }),
    );
  });
});

void describe("loadConfig from YAML files", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-config-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function yamlFile(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
    return path;
  }

  void it("reads a valid file and applies env overrides", async () => {
    const path = await yamlFile(
      "ok.yaml",
      [
        "site: hq",
        "gateway: gw-01",
        "http:",
        "  listen: 127.0.0.1:9000",
        "cameras:",
        "  - id: door",
        "    url: rtsp://10.0.0.5/s1",
        "",
      ].join("\n"),
    );
    const config = await loadConfig(path, { VIGIL__CAMERAS__0__ENABLED: "off" });
    assert.equal(config.http.listen, "127.0.0.1:9000");
    assert.equal(config.cameras[0]?.enabled, false);
    assert.ok(Object.isFrozen(config.cameras[0]));
  });

  void it("resolves relative directories against the config file's directory", async () => {
    const path = await yamlFile(
      join("sub", "deeper", "vigil.yaml"),
      "site: hq\ngateway: gw-01\ndata_dir: ./data\nsecrets_dir: ../secrets\nmodels_dir: models\n",
    );
    const base = join(dir, "sub", "deeper");
    const config = await loadConfig(path, {});
    assert.equal(config.data_dir, join(base, "data"));
    assert.equal(config.secrets_dir, join(dir, "sub", "secrets"));
    assert.equal(config.models_dir, join(base, "models"));
  });

  void it("keeps absolute directories as written", async () => {
    const path = await yamlFile("abs.yaml", "site: hq\ngateway: gw-01\ndata_dir: /srv/vigil\n");
    assert.equal((await loadConfig(path, {})).data_dir, "/srv/vigil");
  });

  void it("a YAML syntax error is CONFIG_PARSE", async () => {
    const path = await yamlFile("broken.yaml", "site: hq\ngateway: [gw-01\nhttp:\n  listen: x\n");
    await expectVigilAsync(loadConfig(path, {}), ErrorCodes.CONFIG_PARSE);
    const dup = await yamlFile("dupkey.yaml", "site: hq\nsite: other\ngateway: gw-01\n");
    await expectVigilAsync(loadConfig(dup, {}), ErrorCodes.CONFIG_PARSE);
  });

  void it("an empty file is CONFIG_INVALID (required keys), not a crash", async () => {
    const path = await yamlFile("empty.yaml", "");
    const err = await expectVigilAsync(loadConfig(path, {}), ErrorCodes.CONFIG_INVALID);
    assert.equal(err.details?.path, "site");
  });

  void it("a missing file is CONFIG_NOT_FOUND", async () => {
    await expectVigilAsync(loadConfig(join(dir, "nope", "vigil.yaml"), {}), ErrorCodes.CONFIG_NOT_FOUND);
  });

  void it("a bad key in the file is CONFIG_INVALID with its dotted path", async () => {
    const path = await yamlFile("badkey.yaml", "site: hq\ngateway: gw-01\ncameras:\n  - id: door\n    url: ftp://x/\n");
    const err = await expectVigilAsync(loadConfig(path, {}), ErrorCodes.CONFIG_INVALID);
    assert.equal(err.details?.path, "cameras[0].url");
  });
});

void describe("exitCodeFor", () => {
  void it("is 78 (EX_CONFIG) for every configuration error and 1 otherwise", async () => {
    assert.equal(ExitCodes.CONFIG, 78);
    const invalid = expectVigil(() => buildConfig({}, {}, BASE), ErrorCodes.CONFIG_INVALID);
    const missing = await expectVigilAsync(
      loadConfig(join(tmpdir(), "vigil-definitely-missing", "x.yaml"), {}),
      ErrorCodes.CONFIG_NOT_FOUND,
    );
    for (const err of [
      invalid,
      missing,
      new VigilError(ErrorCodes.CONFIG_PARSE, "x"),
      new VigilError(ErrorCodes.SECRET_WEAK, "x"),
    ]) {
      assert.equal(exitCodeFor(err), 78);
    }
    for (const err of [new VigilError(ErrorCodes.STORE_LOCKED, "x"), new Error("boom"), "string", undefined])
      assert.equal(exitCodeFor(err), 1);
  });
});

void describe("the shipped configs", () => {
  // Installers copy these; a key that drifted into the wrong section would fail their first start.
  for (const file of ["config/vigil.example.yaml", "config/demo.yaml"]) {
    void it(`${file} is valid`, async () => {
      const doc = parse(await readFile(resolve(PACKAGE_ROOT, file), "utf8")) as Record<string, unknown>;
      assert.doesNotThrow(() => buildConfig(doc, {}, BASE));
    });
  }
});

void describe("faces.match_threshold", () => {
  const dlib = { id: "dlib-resnet-150", match_threshold: 0.95 };
  void it("follows the embedding model's manifest threshold unless the config sets one", () => {
    assert.equal(matchThresholdFor(undefined, dlib), 0.95);
    assert.equal(
      matchThresholdFor(
        buildConfig({ ...MINIMAL, faces: { match_threshold: 0.9 } }, {}, BASE).faces.match_threshold,
        dlib,
      ),
      0.9,
    );
    assert.equal(matchThresholdFor(0, dlib), 0);
  });
  void it("is a configuration error (exit 78) for a model without one, naming the key", () => {
    const err = expectVigil(() => matchThresholdFor(undefined, { id: "imported-embedder" }), ErrorCodes.CONFIG_INVALID);
    assert.equal(err.details?.path, "/faces/match_threshold");
    assert.match(err.message, /imported-embedder/);
    assert.equal(exitCodeFor(err), 78);
  });
});
