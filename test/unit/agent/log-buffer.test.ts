// The log buffer's accounting: bounded by bytes including batches being uploaded, drops counted, files
// never spanning two hours, bytes released when a batch is settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogBuffer } from '../../../src/agent/log-buffer.ts';
import { RecordIndex } from '../../../src/agent/record-index.ts';

const H = 3_600_000;

test('adds until the byte bound, then drops and counts; a taken batch still counts until settled', () => {
  const b = new LogBuffer(100);
  const line = 'x'.repeat(19); // 20 bytes with its newline
  for (let i = 0; i < 5; i++) assert.equal(b.add(line, i), true);
  assert.equal(b.add(line, 5), false);
  assert.equal(b.dropped, 1);
  assert.equal(b.bytes, 100);
  const batch = b.take(45)!;
  assert.equal(batch.lines.length, 2);
  assert.equal(batch.bytes, 40);
  assert.equal(b.records, 5);
  assert.equal(b.queuedBytes, 60);
  assert.equal(b.add(line, 6), false, 'in-flight bytes still count');
  assert.equal(b.dropped, 2);
  b.settle(batch);
  assert.equal(b.records, 3);
  assert.equal(b.add(line, 7), true);
  assert.equal(b.bytes, 80);
  assert.equal(b.oldestMs, 2);
});

test('a batch holds at least one record, bytes are UTF-8 bytes, and stops at an hour boundary', () => {
  const b = new LogBuffer(1 << 20);
  b.add('é'.repeat(50), H - 10); // 101 bytes
  b.add('a', H - 5);
  b.add('b', H + 1);
  b.add('c', H + 2);
  const first = b.take(10)!;
  assert.equal(first.lines.length, 1, 'one record even when over the file size');
  assert.equal(first.bytes, 101);
  const second = b.take(1000)!;
  assert.deepEqual(second.lines.map((l) => l.text), ['a']);
  assert.equal(second.firstMs, H - 5);
  const third = b.take(1000)!;
  assert.deepEqual(third.lines.map((l) => l.text), ['b', 'c']);
  assert.equal(b.take(1000), undefined);
  for (const x of [first, second, third]) b.settle(x);
  assert.equal(b.records, 0);
  assert.equal(b.bytes, 0);
});

test('many records through take/settle keep exact counts (the queue compacts)', () => {
  const b = new LogBuffer(1 << 30);
  let added = 0;
  let written = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 1000; i++) if (b.add(`r${round}-${i}`, round)) added++;
    const batch = b.take(5000)!;
    written += batch.lines.length;
    b.settle(batch);
    assert.equal(b.records, added - written);
  }
});

test('the record index forgets the oldest beyond its bound', () => {
  const idx = new RecordIndex(3);
  const e = { variant: 's', revision: '1', version: '1', predictions: { kind: 'classification' as const, values: [1] } };
  for (const id of ['a', 'b', 'c', 'd']) idx.set(id, e);
  assert.equal(idx.size, 3);
  assert.equal(idx.get('a'), undefined);
  assert.ok(idx.get('d'));
});
