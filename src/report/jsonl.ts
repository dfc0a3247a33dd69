// `--reporter jsonl`: one JSON object per event per line, for tools that read the stream;
// an `output` event is one object per line the child printed (`"line": ...`).
import type { PhaseId, Reporter, RunEvent } from '../events';
import type { Output } from '../io/console';

/** One line of the stream: an event with its time, an `output` event per line. */
export type JsonlEvent = { time: string } & (
  | Exclude<RunEvent, { type: 'output' }>
  | { type: 'output'; env: string; phase: PhaseId; line: string }
);

export class JsonlReporter implements Reporter {
  constructor(
    private readonly out: Output,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: RunEvent): void {
    const time = new Date(this.now()).toISOString();
    if (event.type !== 'output') {
      this.out.write(JSON.stringify({ time, ...event }) + '\n');
      return;
    }
    // What JSON.stringify({ time, type, env, phase, line }) gives for each line, its
    // common head serialized once per chunk.
    const { type, env, phase, lines, ascii } = event;
    const head = JSON.stringify({ time, type, env, phase }).slice(0, -1) + ',"line":';
    let text = '';
    for (const line of lines) text += head + JSON.stringify(line) + '}\n';
    // JSON.stringify leaves non-ASCII characters as they are and adds only ASCII.
    this.out.write(text, ascii === true);
  }

  pressure(): Promise<void> | undefined {
    return this.out.pressure();
  }

  close(): Promise<void> {
    return this.out.flush();
  }
}
