// The console writer: one write per tick, latin1 for ASCII, backpressure.
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { Output } from '../../src/io/console';

it('gathers writes and hands them over in one write per tick', async () => {
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const out = new Output(stream);
  out.write('a\n');
  out.write('b\n');
  expect(chunks).toEqual([]);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(chunks).toEqual(['a\nb\n']);
});

it('hands ASCII-only gatherings over as latin1, any other as UTF-8, so the bytes are right either way', async () => {
  const writes: [string, string][] = [];
  const bytes: Buffer[] = [];
  const stream = new PassThrough();
  const write = stream.write.bind(stream) as (data: string, encoding: BufferEncoding) => boolean;
  (stream as unknown as { write: typeof write }).write = (data, encoding) => {
    writes.push([data, encoding]);
    return write(data, encoding);
  };
  stream.on('data', (c: Buffer) => bytes.push(c));
  const out = new Output(stream);
  out.write('[a] plain\n', true);
  out.send();
  out.write('[a] plain\n', true);
  out.write('[b] caf\u00e9\n');
  out.send();
  out.write('[b] \u2603 said ASCII by nobody\n');
  await out.flush();
  expect(writes.filter(([d]) => d).map(([, e]) => e)).toEqual(['latin1', 'utf8', 'utf8']);
  expect(Buffer.concat(bytes).toString('utf8')).toBe('[a] plain\n[a] plain\n[b] caf\u00e9\n[b] \u2603 said ASCII by nobody\n');
});

it('reports pressure while the stream is backed up and clears it on drain', async () => {
  const stream = new PassThrough({ highWaterMark: 16 });
  const out = new Output(stream, 32);
  out.write('x'.repeat(64));
  const wait = out.pressure();
  expect(wait).toBeInstanceOf(Promise);
  stream.resume();
  await wait;
  expect(out.pressure()).toBeUndefined();
});

it('lets a console go that breaks (EPIPE, ENOSPC): no waiting on it, writes dropped, flush at once', async () => {
  const stream = new PassThrough({ highWaterMark: 16 });
  const out = new Output(stream, 32);
  out.write('x'.repeat(64));
  const wait = out.pressure();
  expect(wait).toBeInstanceOf(Promise);
  stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  await wait;
  expect(out.broken).toBe('EPIPE');
  expect(out.pressure()).toBeUndefined();
  out.write('dropped\n');
  out.send();
  await out.flush();
  expect(stream.read()?.toString() ?? '').not.toContain('dropped');
});
