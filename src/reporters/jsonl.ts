// `--reporter jsonl`: one JSON object per event per line, for tools that read the stream.
import type { Reporter, RunEvent } from '../events';
import type { Output } from '../output';

export class JsonlReporter implements Reporter {
  constructor(
    private readonly out: Output,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: RunEvent): void {
    this.out.write(JSON.stringify({ time: new Date(this.now()).toISOString(), ...event }) + '\n');
  }

  pressure(): Promise<void> | undefined {
    return this.out.pressure();
  }

  close(): Promise<void> {
    return this.out.flush();
  }
}
