// An env's log as the runner writes it: `.parallel-<env>.log` (every line, whatever the
// verbosity) plus the last TAIL_LINES lines in a ring, for the failure summary.
import { LogFile } from '../io/log-file';

export const TAIL_LINES = 40;

export class EnvLog {
  // The last TAIL_LINES lines, in a ring: one store per line, however much is printed.
  private readonly ring: string[] = new Array<string>(TAIL_LINES);
  private written = 0;

  private constructor(private readonly file: LogFile) {}

  get path(): string {
    return this.file.path;
  }

  static async open(path: string): Promise<EnvLog> {
    return new EnvLog(await LogFile.open(path));
  }

  /** Lines (`text`: them, each LF-terminated): one write to the log, the last ones into the ring. */
  lines(text: string, lines: readonly string[], ascii = false): void {
    this.file.write(text, ascii);
    const from = Math.max(0, lines.length - TAIL_LINES);
    this.written += from;
    for (let i = from; i < lines.length; i++) this.ring[this.written++ % TAIL_LINES] = lines[i]!;
  }

  line(text: string): void {
    this.lines(text + '\n', [text]);
  }

  /** The last lines written, oldest first. */
  tail(): string[] {
    const kept = Math.min(this.written, TAIL_LINES);
    return Array.from({ length: kept }, (_, i) => this.ring[(this.written - kept + i) % TAIL_LINES]!);
  }

  pressure(): Promise<void> | undefined {
    return this.file.pressure();
  }

  /** Everything written so far is in the file (or failed: see `error`). */
  drained(): Promise<void> {
    return this.file.drained();
  }

  get error(): NodeJS.ErrnoException | undefined {
    return this.file.error;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
