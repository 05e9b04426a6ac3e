import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger, loggerForKey } from '../../../src/observability/logger.ts';
import type { LogLevel } from '../../../src/observability/logger.ts';

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
