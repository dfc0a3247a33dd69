// zod, configured once for a command-line tool: schemas parse one small document per run,
// so zod's JIT (a parser generated with `new Function` per object schema, compiled afresh
// on every start and outside V8's code cache) costs more than it saves.
// Users import this module as a namespace (`import * as z from './zod'`), never zod's own
// `z` object: that object holds every export (all 40-odd locales among them), so the
// bundle kept all of zod; through named exports it keeps only what the schemas use.
import { config } from 'zod';

config({ jitless: true });

export * from 'zod';
