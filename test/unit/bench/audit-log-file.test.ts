import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../bench/audit-log.ts';

const line = (name: string) => `${JSON.stringify({ user: { username: 'op' }, userAgent: 'modelship/shard1', verb: 'create', requestURI: '/x', objectRef: { resource: 'services', namespace: 'b-0', name } })}\n`;

function withLog(run: (dir: string, file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'audit-log-test-'));
  try {
    run(dir, join(dir, 'audit.log'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every entry after a mark is read, when lines are cut by the read chunks, and a line still being written waits', () => {
  withLog((_dir, file) => {
    writeFileSync(file, line('before'));
    // Chunks of 50 bytes: every line (about 170 bytes) is cut at least once.
    const log = new AuditLog(file, 50);
    const mark = log.mark();
    const names = Array.from({ length: 40 }, (_, i) => `m-${String(i).padStart(4, '0')}`);
    appendFileSync(file, names.map(line).join(''));
    appendFileSync(file, line('half').slice(0, 60));
    assert.deepEqual(log.entriesSince(mark).map((e) => e.name), names);
    assert.deepEqual(new AuditLog(file).entriesSince(0).map((e) => e.name), ['before', ...names]);
  });
});

test('a rotated or truncated log is refused instead of counted from the wrong file', () => {
  withLog((dir, file) => {
    writeFileSync(file, line('a') + line('b'));
    const log = new AuditLog(file);
    const mark = log.mark();
    truncateSync(file, 10);
    assert.throws(() => log.entriesSince(mark), /was truncated/);
    // What lumberjack leaves when it rotates audit.log.
    writeFileSync(join(dir, 'audit-2026-12-06T02-30-00.000.log'), line('a'));
    assert.throws(() => log.entriesSince(0), /was rotated \(audit-2026-12-06T02-30-00\.000\.log\)/);
  });
});
