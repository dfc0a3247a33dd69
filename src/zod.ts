// zod, configured once for a command-line tool. zod/mini: its schemas are plain objects,
// where classic zod attaches some fifty methods to every schema as it is built, which
// made building the matrix's schemas a sizeable part of every start. Its JIT is off
// (a parser generated with `new Function` per object schema, compiled afresh on every
// start and outside V8's code cache, costs more than it saves on one small document).
// mini loads no locale: the English messages are loaded here, and only them (zod's
// `locales` object would bring all 40-odd).
// Users import this module as a namespace (`import * as z from './zod'`), never zod's own
// `z` object, so the bundle keeps only what the schemas use.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config({ jitless: true, ...en() });

export * from 'zod/mini';
