import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RangeLines, rowGroupsOf, textRanges, type InputFile } from '../../../src/batch-runner/shards.ts';

/** The reference decoding: UTF-8, one trailing '\r' dropped. */
function utf8(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** Every line of the file by its start offset (the last one may lack a newline), the reference split. */
function allLines(bytes: Uint8Array): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (i < bytes.length || i > start) out.push({ offset: start, text: utf8(bytes.subarray(start, i)) });
      start = i + 1;
    }
  }
  return out;
}

/** The lines a shard reads from one file, fed in the given chunk sizes from readFrom to the end. */
function readRange(bytes: Uint8Array, start: number, end: number, chunk: number): { offset: number; text: string }[] {
  const r = new RangeLines(start, end);
  const out: { offset: number; text: string }[] = [];
  for (let at = r.readFrom; at < bytes.length && !r.done; at += chunk) {
    for (const l of r.push(bytes.subarray(at, Math.min(at + chunk, bytes.length)))) out.push({ offset: l.offset, text: l.text });
  }
  for (const l of r.finish()) out.push({ offset: l.offset, text: l.text });
  return out;
}

// ASCII letters, newlines, carriage returns and a two-byte UTF-8 letter ('é'), which chunks may split.
const fileArb = fc.array(fc.constantFrom([0x61], [0x62], [0x0a], [0x0a], [0x0d], [0xc3, 0xa9]), { maxLength: 60 }).map((a) => Uint8Array.from(a.flat()));

void test('every line of every file is read by exactly one shard, whole, whatever the boundaries and chunking', () => {
  fc.assert(
    fc.property(fc.array(fileArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), (contents, shards, chunk) => {
      const files: InputFile[] = contents.map((c, i) => ({ file: `f${i}`, size: c.length }));
      const seen = new Map<string, string[]>();
      for (let s = 0; s < shards; s++) {
        for (const range of textRanges(files, shards, s)) {
          const bytes = contents[Number(range.file.slice(1))]!;
          for (const l of readRange(bytes, range.start, range.end, chunk)) {
            const key = `${range.file}@${l.offset}`;
            seen.set(key, [...(seen.get(key) ?? []), l.text]);
          }
        }
      }
      const expected = new Map<string, string>();
      contents.forEach((c, i) => allLines(c).forEach((l) => expected.set(`f${i}@${l.offset}`, l.text)));
      assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort());
      for (const [key, texts] of seen) assert.deepEqual(texts, [expected.get(key)], key);
    }),
    { numRuns: 500 },
  );
});

void test('byte ranges cover the input once, in order, nearly equal in size', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 16 }), (sizes, shards) => {
      const files = sizes.map((size, i) => ({ file: `f${i}`, size }));
      const total = sizes.reduce((a, b) => a + b, 0);
      let covered = 0;
      for (let s = 0; s < shards; s++) {
        const bytes = textRanges(files, shards, s).reduce((a, r) => a + r.end - r.start, 0);
        assert.ok(Math.abs(bytes - total / shards) <= 1);
        covered += bytes;
      }
      assert.equal(covered, total);
    }),
  );
});

void test('a CRLF line loses its carriage return; a line crossing the end is read past it', () => {
  const bytes = Buffer.from('ab\r\ncdef\ngh');
  assert.deepEqual(readRange(bytes, 0, 5, 3).map((l) => [l.offset, l.text]), [[0, 'ab'], [4, 'cdef']]);
  assert.deepEqual(readRange(bytes, 5, 11, 4).map((l) => [l.offset, l.text]), [[9, 'gh']]);
});

void test('row groups go to exactly one shard, contiguous by cumulative rows', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 8 }), (rows, shards) => {
      let rowStart = 0;
      const groups = rows.map((r, index) => {
        const g = { file: 'a', index, rowStart, rows: r };
        rowStart += r;
        return g;
      });
      const owned = Array.from({ length: shards }, (_, s) => rowGroupsOf(groups, shards, s).map((g) => g.index));
      assert.deepEqual(owned.flat(), groups.map((g) => g.index));
    }),
  );
});
