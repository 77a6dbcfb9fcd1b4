import { PeriodicTask } from "../core/periodic-task.js";
import { readdir, stat } from "node:fs/promises";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import si from "systeminformation";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { finiteOrNull, mountFor, type SystemSample } from "./system-sample.js";

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/**
 * Samples CPU, memory, disk, temperatures and GPUs through systeminformation on a timer, so a
 * health request reads the last sample and never waits for `lspci` or `nvidia-smi`. A sensor that
 * is missing (VMs have no temperatures) is null, not an error in health.
 */
export class SystemSampler implements Component {
  readonly name = "system-sampler";
  private current: SystemSample | undefined;
  private readonly beat: PeriodicTask;

  constructor(
    private readonly options: { dataDir: string; storeDir: string; intervalMs: number },
    private readonly log: Logger,
  ) {
    this.beat = new PeriodicTask(
      options.intervalMs,
      async () => {
        this.current = await this.take();
      },
      (err) => this.log.warn({ err }, "system sample failed"),
    );
  }

  get last(): SystemSample | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    // The first sample runs in the background: start-up does not wait for lspci.
    await this.beat.start({ first: "background" });
  }

  async stop(): Promise<void> {
    await this.beat.stop();
  }

  /** Takes a sample now (joins one already running); never rejects. */
  sampleNow(): Promise<void> {
    return this.beat.runNow();
  }

  private async take(): Promise<SystemSample> {
    const t0 = performance.now();
    const errors: string[] = [];
    const attempt = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
        return undefined;
      }
    };
    const [load, mem, fs, temp, graphics, storeBytes] = await Promise.all([
      attempt("cpu load", () => si.currentLoad()),
      attempt("memory", () => si.mem()),
      attempt("disks", () => si.fsSize()),
      attempt("temperatures", () => si.cpuTemperature()),
      attempt("gpus", () => si.graphics()),
      attempt("store size", () => directoryBytes(this.options.storeDir)),
    ]);
    const volume = fs ? mountFor(this.options.dataDir, fs) : undefined;
    const usage = process.memoryUsage();
    return {
      sampled_at: new Date().toISOString(),
      sample_ms: Math.round(performance.now() - t0),
      cpu: {
        cores: cpus().length,
        load_percent: finiteOrNull(load?.currentLoad),
        load_average: loadavg().map((n) => Math.round(n * 100) / 100),
      },
      memory: {
        total_bytes: mem?.total ?? totalmem(),
        available_bytes: mem?.available ?? freemem(),
        process_rss_bytes: usage.rss,
        process_heap_used_bytes: usage.heapUsed,
      },
      disk: volume
        ? {
            path: this.options.dataDir,
            mount: volume.mount,
            total_bytes: volume.size,
            free_bytes: volume.available,
            free_percent: volume.size > 0 ? Math.round((10_000 * volume.available) / volume.size) / 100 : 0,
          }
        : null,
      store_bytes: storeBytes ?? null,
      temperatures: { cpu_main_c: finiteOrNull(temp?.main), cpu_max_c: finiteOrNull(temp?.max) },
      gpus: (graphics?.controllers ?? []).map((c) => ({
        model: c.model,
        vendor: c.vendor,
        utilization_percent: finiteOrNull(c.utilizationGpu),
        memory_used_mb: finiteOrNull(c.memoryUsed),
        memory_total_mb: finiteOrNull(c.memoryTotal ?? c.vram),
        temperature_c: finiteOrNull(c.temperatureGpu),
      })),
      errors,
    };
  }
}
