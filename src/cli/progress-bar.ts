/** Redraws closer together than this are skipped: drawing costs more than the work it reports. */
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/** One line redrawn in place on a terminal: a bar for how far along, and text about it. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  #drawnAt = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  /** Shows `text` after a bar filled to `fraction` (no bar when it is unknown). */
  show(text: string, fraction: number | undefined): void {
    const now = Date.now();
    if (now - this.#drawnAt < REDRAW_MS && fraction !== 1) return;
    this.#drawnAt = now;
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(Math.min(fraction, 1) * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] `;
    const line = `${bar}${text}`.slice(0, (this.#stream.columns || 80) - 1);
    this.#stream.write(`\r${line}\x1b[K`);
    this.#drawn = true;
  }

  /** Removes the line, leaving the cursor where it began. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
