import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressMonitor } from '../../../src/kube/progress-monitor.ts';
import { Watchdog } from '../../../src/kube/watchdog.ts';
import { FakeClock } from './fake-clock.ts';

void test('the watchdog fires once after ms without a kick; kicks re-arm it; stop disarms it', async () => {
  let timersSet = 0;
  const clock = new (class extends FakeClock {
    override setTimeout(fn: () => void, ms: number): unknown {
      timersSet++;
      return super.setTimeout(fn, ms);
    }
  })();
  let fired = 0;
  const dog = new Watchdog(1000, () => fired++, clock);
  await clock.advance(900);
  dog.kick();
  await clock.advance(500);
  for (let i = 0; i < 100; i++) dog.kick();
  assert.equal(timersSet, 2, 'a kick sets no timer: the first one, when it fired at 1000, waited again until 1900');
  await clock.advance(400);
  assert.equal(fired, 0, 'kicked in time');
  await clock.advance(599);
  assert.equal(fired, 0, 'the last kick counts');
  await clock.advance(1);
  assert.equal(fired, 1);
  dog.kick();
  await clock.advance(5000);
  assert.equal(fired, 1, 'fires once; a kick after it fired does not re-arm it');
  const stopped = new Watchdog(1000, () => fired++, clock);
  stopped.stop();
  await clock.advance(5000);
  assert.equal(fired, 1);
  assert.equal(clock.pendingTimers(), 0);
});

void test('a progress monitor is healthy within its bound and says for how long it was idle past it', async () => {
  const clock = new FakeClock();
  const monitor = new ProgressMonitor(clock);
  await clock.advance(60_000);
  assert.equal(monitor.check('informer Pod', 60_000), true);
  await clock.advance(1);
  assert.match(String(monitor.check('informer Pod', 60_000)), /^informer Pod: no progress for 60 s \(bound 60 s\)$/);
  monitor.progressed();
  assert.equal(monitor.check('informer Pod', 60_000), true);
});
