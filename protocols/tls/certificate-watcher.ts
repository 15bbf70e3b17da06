import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** How often the stat-polling fallback looks at a file, where the platform cannot watch a folder. */
const POLL_INTERVAL_MS = 1_000;

/**
 * Calls `onChange` (debounced) when any of `files` may have changed.
 *
 * It watches each file's *folder*, not the file: certificate tools replace files by renaming a new
 * one over the old (certbot, Kubernetes secret volumes swap a symlink in the same folder), and a
 * watch on the old file would go quiet after the first swap. An event only says "look again": the
 * caller compares the bytes, so a spurious event costs one read. Watchers are unref'd so they never
 * keep a process alive on their own; `close()` stops them.
 */
export class CertificateWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #polled: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    files: readonly string[],
    readonly debounceMs: number,
    readonly onChange: () => void,
  ) {
    const byFolder = new Map<string, Set<string>>();
    for (const file of files.map((f) => resolve(f))) {
      const names = byFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byFolder.set(dirname(file), names);
    }
    for (const [folder, names] of byFolder) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          // Some platforms do not say which entry changed; then any change may be ours. Kubernetes
          // secret volumes swap a `..data` symlink the files point through, never the files.
          if (name === null || names.has(name.toString()) || name.toString().startsWith('..')) this.#schedule();
        });
        watcher.on('error', () => this.#pollInstead(folder, names, watcher));
        this.#watchers.push(watcher);
      } catch {
        this.#pollInstead(folder, names);
      }
    }
  }

  /** Stops watching; a pending debounced call is dropped. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#watchers.splice(0)) w.close();
    for (const f of this.#polled.splice(0)) unwatchFile(f);
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    // Tools write a certificate and its key one after the other: wait for the writes to settle.
    this.#timer = setTimeout(() => {
      if (!this.#closed) this.onChange();
    }, this.debounceMs);
    this.#timer.unref();
  }

  /** Where folder watching is not available (some network file systems), poll the files' stats. */
  #pollInstead(folder: string, names: ReadonlySet<string>, failed?: FSWatcher): void {
    failed?.close();
    if (this.#closed) return;
    for (const name of names) {
      const file = resolve(folder, name);
      watchFile(file, { persistent: false, interval: POLL_INTERVAL_MS }, () => this.#schedule());
      this.#polled.push(file);
    }
  }
}
