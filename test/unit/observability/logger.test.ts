import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger, loggerForKey } from '../../../src/observability/logger.ts';
import type { LogLevel } from '../../../src/observability/logger.ts';
import { ApiError } from '../../../src/kube/api-error.ts';

function capture(level: LogLevel = 'info', name?: string) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ level, ...(name === undefined ? {} : { name }), destination }), lines, raw };
}

void test('JSON lines with a level label, an ISO time and the logger name', () => {
  const { logger, lines } = capture('info', 'modelship');
  logger.info({ n: 1 }, 'started');
  const [line] = lines;
  assert.equal(line?.level, 'info');
  assert.equal(line?.msg, 'started');
  assert.equal(line?.logger, 'modelship');
  assert.equal('pid' in (line ?? {}), false);
  assert.equal(line?.n, 1);
  assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

void test('the level filters', () => {
  const { logger, lines } = capture('warn');
  logger.info('hidden');
  logger.debug('hidden');
  logger.warn('shown');
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['shown'],
  );
});

void test('loggerForKey: every line carries controller, key, namespace and name, once each', () => {
  const { logger, lines, raw } = capture('debug', 'modelship');
  const log = loggerForKey(logger, 'risk/fraud');
  log.debug('rendered');
  log.child({ kind: 'Deployment' }).info('applied');
  for (const line of lines) {
    assert.equal(line.controller, 'modeldeployment');
    assert.equal(line.key, 'risk/fraud');
    assert.equal(line.namespace, 'risk');
    assert.equal(line.name, 'fraud');
  }
  assert.equal(lines.length, 2);
  for (const line of raw) assert.equal(line.match(/"name":/g)?.length, 1, line);
  assert.equal(lines[1]?.kind, 'Deployment');
});

void test('loggerForKey: a key without a namespace', () => {
  const { logger, lines } = capture();
  loggerForKey(logger, 'cluster-wide').info('x');
  assert.equal(lines[0]?.name, 'cluster-wide');
  assert.equal('namespace' in (lines[0] ?? {}), false);
});

void test('an Error under err keeps its type, stack, own fields and cause chain', () => {
  const { logger, lines } = capture();
  const cause = new Error('connect ECONNREFUSED 10.0.0.1:443');
  const err = new ApiError('POST', '/api/v1/namespaces/risk/configmaps', 403, 'Forbidden', 'namespace risk is being terminated', [
    { reason: 'NamespaceTerminating', message: 'namespace risk is being terminated', field: 'metadata.namespace' },
  ]);
  logger.warn({ err: new Error('token file /var/run/token: unreadable', { cause }) }, 'wrapped');
  logger.warn({ err }, 'refused');
  const [wrapped, refused] = lines.map((l) => l.err as Record<string, unknown>);
  assert.equal(wrapped?.type, 'Error');
  assert.equal(wrapped?.message, 'token file /var/run/token: unreadable');
  assert.match(String(wrapped?.stack), /logger\.test\.ts/);
  assert.equal((wrapped?.cause as Record<string, unknown>).message, cause.message);
  assert.equal(refused?.type, 'ApiError');
  assert.equal(refused?.status, 403);
  assert.deepEqual(refused?.causes, err.causes);
});

void test('something thrown that is not an Error is logged as it is', () => {
  const { logger, lines } = capture();
  logger.warn({ err: 'plain text' }, 'odd');
  assert.equal(lines[0]?.err, 'plain text');
});
