// The shard's records come up in small arrays, in input order: one 256 KiB read holds thousands of rows,
// and parsing them all in one turn kept the runner from reading the model server's answers.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readShard } from '../../../src/batch-runner/read-input.ts';
import { localStore } from '../../../src/batch-runner/storage.ts';

const root = mkdtempSync(join(tmpdir(), 'modelship-read-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

void test('a file of 30,000 rows comes up whole, in order, in arrays of at most 64 records', async () => {
  const rows = Array.from({ length: 30_000 }, (_, i) => JSON.stringify([i, i % 3]));
  writeFileSync(join(root, 'data.jsonl'), `${rows.join('\n')}\n`);
  const store = localStore({ kind: 'local', uri: 'pvc://claim', path: root });
  const seen: number[] = [];
  let largest = 0;
  for await (const records of readShard(store, 'jsonl', 1, 0)) {
    largest = Math.max(largest, records.length);
    for (const r of records) {
      assert.ok(r.parsed.ok);
      seen.push(r.parsed.row[0]!);
    }
  }
  assert.equal(seen.length, rows.length);
  assert.deepEqual(seen, rows.map((_, i) => i));
  assert.ok(largest <= 64, `an array of ${largest} records`);
});
