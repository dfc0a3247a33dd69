// zod, configured once for a command-line tool: schemas parse one small document per run,
// so zod's JIT (a parser generated with `new Function` per object schema, compiled afresh
// on every start and outside V8's code cache) costs more than it saves.
import { z } from 'zod';

z.config({ jitless: true });

export { z };
