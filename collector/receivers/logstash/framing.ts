const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Cuts a byte stream into lines (`\n` or `\r\n`), whatever the packet boundaries. A line is decoded only
 * once complete, so a UTF-8 character split across packets stays whole. The held remainder never exceeds
 * `maxBytes` (+1 for a possible `\r`): a longer line is dropped and the rest of it skipped up to its newline.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private skipping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onOversized: () => void,
  ) {}

  /** Whether part of an unterminated line is held. */
  get partial(): boolean {
    return this.held > 0;
  }

  /** The lines this chunk completes, without their line ends. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const line = this.complete(chunk, start, nl);
      if (line !== null) lines.push(line);
      start = nl + 1;
    }
    this.hold(chunk.subarray(start));
    return lines;
  }

  /** The unterminated remainder, if any, as a line; the splitter is then empty. */
  end(): string | null {
    const rest = this.held > 0 ? this.decode(Buffer.concat(this.parts, this.held)) : null;
    this.parts = [];
    this.held = 0;
    this.skipping = false;
    return rest;
  }

  private complete(chunk: Buffer, start: number, end: number): string | null {
    if (this.skipping) {
      this.skipping = false;
      return null;
    }
    if (this.held === 0) return this.decode(chunk.subarray(start, end));
    const whole = Buffer.concat([...this.parts, chunk.subarray(start, end)], this.held + end - start);
    this.parts = [];
    this.held = 0;
    return this.decode(whole);
  }

  private decode(bytes: Buffer): string | null {
    const length = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (length > this.maxBytes) {
      this.onOversized();
      return null;
    }
    return bytes.toString('utf8', 0, length);
  }

  private hold(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.held + piece.length > this.maxBytes + 1) {
      this.parts = [];
      this.held = 0;
      this.skipping = true;
      this.onOversized();
      return;
    }
    // A copy, so that a few held bytes do not pin the whole socket chunk in memory.
    this.parts.push(Buffer.from(piece));
    this.held += piece.length;
  }
}
