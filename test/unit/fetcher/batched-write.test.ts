import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeBatched } from '../../../src/fetcher/batched-write.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelship-batched-write-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function* chunksOf(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await Promise.resolve(); // a turn of the event loop between chunks, as from a socket
    yield part;
  }
}

test('the file holds every chunk in order, whatever the chunk and batch sizes', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), async (parts, batch) => {
      const file = join(dir, `out-${n++}`);
      const written = await writeBatched(chunksOf(parts), file, batch);
      const expected = Buffer.concat(parts);
      assert.equal(written, expected.length);
      assert.deepEqual(readFileSync(file), expected);
    }),
    { numRuns: 200 },
  );
});

test('an existing file is replaced, not appended to', async () => {
  const file = join(dir, 'replaced');
  await writeBatched(chunksOf([Buffer.from('a much longer first content')]), file);
  await writeBatched(chunksOf([Buffer.from('short')]), file);
  assert.equal(readFileSync(file, 'utf8'), 'short');
});

test('a source that fails mid-way rejects with its own error after the started write finished', async () => {
  const file = join(dir, 'failed');
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield* chunksOf([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]);
    throw new Error('connection reset');
  }
  await assert.rejects(writeBatched(failing(), file, 8), /connection reset/);
  // Each chunk filled a batch of 8 bytes, and both were written before the failure; the caller removes the file.
  assert.deepEqual(readFileSync(file), Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]));
});
