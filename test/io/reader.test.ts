// Reading the project's files: regular files only (a FIFO, a device or a folder is refused,
// never read forever), text decoded strictly (UTF-8 with or without its BOM, UTF-16 with
// one), files that say they are empty (/proc) read to their end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { UnreadableFile, decodeText, diskReader, readRegular } from '../../src/io/reader';

const tmp = mkdtempSync(join(tmpdir(), 'esb-e2e-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('decodes UTF-8 (its BOM dropped) and UTF-16 with a BOM; refuses invalid UTF-8', () => {
  expect(decodeText(Buffer.from('A=\u00e9\n'))).toBe('A=\u00e9\n');
  expect(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
  expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('A=1', 'utf16le')]))).toBe('A=1');
  expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('A=1', 'utf16le').swap16()]))).toBe('A=1');
  expect(() => decodeText(Buffer.from([0x41, 0xc3, 0x28]))).toThrow(UnreadableFile);
  expect(() => decodeText(Buffer.from([0x41, 0xc3, 0x28]))).toThrow('is not UTF-8 text');
});

it('refuses, as unreadable text, a UTF-16 byte order mark followed by what is not UTF-16', () => {
  // Found by the property test of test/plan/loaders.property.test.ts: an odd byte count.
  expect(() => decodeText(Buffer.from([0xfe, 0xff, 0x00]))).toThrow(UnreadableFile);
  expect(() => decodeText(Buffer.from([0xfe, 0xff, 0x00]))).toThrow('starts with a UTF-16BE byte order mark but is not UTF-16BE text (save it as UTF-8)');
  // A lone high surrogate.
  expect(() => decodeText(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]))).toThrow('starts with a UTF-16LE byte order mark but is not UTF-16LE text');
});

it('reads regular files only: a FIFO (no reader waits), a device or a folder is refused at once', () => {
  const fifo = join(tmp, 'fifo');
  execFileSync('mkfifo', [fifo]);
  expect(() => readRegular(fifo)).toThrow('is not a regular file (a FIFO, socket or device)');
  expect(() => readRegular('/dev/zero')).toThrow('is not a regular file');
  expect(() => readRegular(tmp)).toThrow('is a directory');
  expect(diskReader.md5(fifo)).toBeUndefined();
  expect(() => diskReader.readText(fifo)).toThrow(UnreadableFile);
});

it('reads to the end of files that say they are empty, and not past its limit', () => {
  expect(readRegular('/proc/self/stat').toString()).toMatch(/^\d+ \(/);
  const big = join(tmp, 'big');
  writeFileSync(big, 'x'.repeat(2048));
  expect(() => readRegular(big, 1024)).toThrow('is larger than');
  expect(readRegular(big, 4096).length).toBe(2048);
});
