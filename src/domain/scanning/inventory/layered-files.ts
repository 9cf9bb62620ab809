/**
 * What the scanner kept of the files that matter, keyed by image path, as the layers are applied
 * bottom-up: each layer's entries replace what lower layers left at their paths, and its whiteouts
 * remove what lower layers had (OCI image spec, "Representing Changes"). Only the few files that
 * matter are held, so every removal is a lookup; `directories` counts the held files under each
 * directory so that a whole subtree is searched only when it holds something.
 */
export class LayeredFiles<T> {
  private readonly files = new Map<string, { layer: number; value: T }>();
  private readonly directories = new Map<string, number>();
  private total = 0;

  /** `weight` is what `totalWeight` sums (packages per file, for the package limit). */
  constructor(private readonly weight: (value: T) => number) {}

  get totalWeight(): number {
    return this.total;
  }

  get(path: string): { layer: number; value: T } | undefined {
    return this.files.get(path);
  }

  set(path: string, layer: number, value: T): void {
    this.delete(path);
    this.files.set(path, { layer, value });
    this.total += this.weight(value);
    for (const directory of ancestors(path)) this.directories.set(directory, (this.directories.get(directory) ?? 0) + 1);
  }

  /** A non-directory entry at `path` replaces a file there and a directory tree there. */
  replaceWithFile(path: string): void {
    this.delete(path);
    this.deleteUnder(path, Infinity);
  }

  /** A directory entry at `path` replaces a file there; what lower layers have under it stays. */
  replaceWithDirectory(path: string): void {
    this.delete(path);
  }

  /** `.wh.<name>`: `path` and everything under it in lower layers is gone. */
  whiteout(path: string, layer: number): void {
    if ((this.files.get(path)?.layer ?? Infinity) < layer) this.delete(path);
    this.deleteUnder(path, layer);
  }

  /** `.wh..wh..opq`: what lower layers have under `directory` is gone; the directory stays. */
  makeOpaque(directory: string, layer: number): void {
    this.deleteUnder(directory, layer);
  }

  /** The held files ordered by path. */
  entries(): [string, T][] {
    return [...this.files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, { value }]) => [path, value]);
  }

  private deleteUnder(directory: string, belowLayer: number): void {
    if (directory !== '' && !this.directories.has(directory)) return;
    const prefix = directory === '' ? '' : `${directory}/`;
    for (const [path, { layer }] of [...this.files]) {
      if (path.startsWith(prefix) && layer < belowLayer) this.delete(path);
    }
  }

  private delete(path: string): void {
    const held = this.files.get(path);
    if (!held) return;
    this.files.delete(path);
    this.total -= this.weight(held.value);
    for (const directory of ancestors(path)) {
      const count = this.directories.get(directory)! - 1;
      if (count === 0) this.directories.delete(directory);
      else this.directories.set(directory, count);
    }
  }
}

/** a/b/c -> a, a/b */
function ancestors(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
