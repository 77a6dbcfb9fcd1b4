/** What the box itself looks like, sampled in the background for health (snake_case for central). */
export interface SystemSample {
  readonly sampled_at: string;
  readonly sample_ms: number;
  readonly cpu: {
    readonly cores: number;
    readonly load_percent: number | null;
    readonly load_average: readonly number[];
  };
  readonly memory: {
    readonly total_bytes: number;
    readonly available_bytes: number;
    readonly process_rss_bytes: number;
    readonly process_heap_used_bytes: number;
  };
  /** The volume holding data_dir. */
  readonly disk: {
    readonly path: string;
    readonly mount: string;
    readonly total_bytes: number;
    readonly free_bytes: number;
    readonly free_percent: number;
  } | null;
  /** Bytes of the LevelDB store on disk. */
  readonly store_bytes: number | null;
  readonly temperatures: { readonly cpu_main_c: number | null; readonly cpu_max_c: number | null };
  readonly gpus: ReadonlyArray<{
    readonly model: string;
    readonly vendor: string;
    readonly utilization_percent: number | null;
    readonly memory_used_mb: number | null;
    readonly memory_total_mb: number | null;
    readonly temperature_c: number | null;
  }>;
  /** What could not be read this time (a sensor missing is normal on VMs). */
  readonly errors: readonly string[];
}

/** The mount that holds `path`: the longest mount point that is a prefix of it. Pure. */
export function mountFor<T extends { mount: string }>(path: string, mounts: readonly T[]): T | undefined {
  const within = (m: string): boolean => path === m || path.startsWith(m.endsWith("/") ? m : `${m}/`);
  return mounts.filter((m) => within(m.mount)).sort((a, b) => b.mount.length - a.mount.length)[0];
}

/** Health reasons from a sample: only what a tech should act on. Pure. */
export function systemReasons(sample: SystemSample | undefined, diskLowPercent: number): string[] {
  if (!sample?.disk) return [];
  const d = sample.disk;
  return d.free_percent < diskLowPercent
    ? [`data volume ${d.mount} has ${d.free_percent.toFixed(1)}% free (threshold ${diskLowPercent}%)`]
    : [];
}

const finite = (n: unknown): number | null => (typeof n === "number" && Number.isFinite(n) ? n : null);
export { finite as finiteOrNull };
