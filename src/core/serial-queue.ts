/**
 * Work that must not interleave, run one task at a time per key in the order it was asked for.
 * A task that fails fails only its own caller: the next one still runs. A key with nothing left
 * queued is forgotten, so the map holds only busy keys however many keys pass through (one per
 * incident, per session...).
 */
export class KeyedSerialQueue<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  run<T>(key: K, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }

  /** Settles once nothing is queued under any key, including work queued while waiting. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

/** A KeyedSerialQueue with one key: everything one at a time (a store's writes, enrolments). */
export class SerialQueue {
  private readonly queue = new KeyedSerialQueue<null>();

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(null, work);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}
