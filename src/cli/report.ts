// `esb-e2e report merge`: the shards' report files joined (the merge is loaded only here).
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { nonEmpty } from './flags';
import type { Io } from './io';
import type { Action } from './plan';

export function addReport(program: Command, io: Io, pytestArgs: readonly string[], setAction: (action: Action) => void): void {
  const report = program.command('report').description('work with report files (report merge)');
  report
    .command('merge')
    .description('merge the --report JSON files and/or the --junit XML files of shards into one of each')
    .argument('<files...>', 'shard reports (.json) and/or shard JUnit files (.xml)')
    .option('--report <out.json>', 'write the merged JSON report here (inputs: the .json files)', nonEmpty)
    .option('--junit <out.xml>', 'write the merged JUnit XML here (inputs: the .xml files)', nonEmpty)
    .allowExcessArguments(false)
    .action((files: string[], flags: { report?: string; junit?: string }) =>
      setAction(async () => {
        if (pytestArgs.length) throw new UsageError('report merge takes no arguments after --');
        // Loaded here only: its XML parser and report schema are not needed to plan or run.
        const { reportMerge } = await import('../report/merge');
        return reportMerge(files, flags, io);
      }),
    );
}
