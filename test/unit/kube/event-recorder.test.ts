// The event recorder's aggregation, queueing and failure handling, with an in-memory sink and a
// manual clock (the integration test covers the real API server and kubectl describe).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CoreV1Event } from '@kubernetes/client-node';
import { pino } from 'pino';
import { EventRecorder, type EventRecorderOptions, type EventSink, type InvolvedObject } from '../../../src/kube/event-recorder.ts';
import { FakeClock, settle } from './fake-clock.ts';

const obj: InvolvedObject = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'fraud', namespace: 'ml', uid: 'uid-1' };

interface Write {
  readonly op: 'create' | 'update';
  readonly at: number;
  readonly name: string;
  readonly count: number;
  readonly event?: CoreV1Event;
}

/** An in-memory API: records writes; `fail` and `gone` make the next writes fail or find no Event. */
class MemorySink implements EventSink {
  readonly writes: Write[] = [];
  readonly events = new Map<string, CoreV1Event>();
  fail = 0;
  gone = false;
  hold: Promise<void> | undefined;
  private seq = 0;
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  async create(event: CoreV1Event): Promise<CoreV1Event> {
    await this.hold;
    if (this.fail > 0 && this.fail--) throw new Error('API server unavailable');
    const name = `${event.metadata.generateName}${++this.seq}`;
    const created = { ...event, metadata: { ...event.metadata, name } };
    this.events.set(name, created);
    this.writes.push({ op: 'create', at: this.clock.now(), name, count: event.count ?? 0, event: created });
    return created;
  }

  async update(_namespace: string, name: string, count: number): Promise<boolean> {
    await this.hold;
    if (this.fail > 0 && this.fail--) throw new Error('API server unavailable');
    const existing = this.events.get(name);
    if (this.gone || !existing) {
      this.gone = false;
      this.events.delete(name);
      return false;
    }
    existing.count = count;
    this.writes.push({ op: 'update', at: this.clock.now(), name, count });
    return true;
  }

  counts(): number[] {
    return [...this.events.values()].map((e) => e.count ?? 0);
  }
}

function setup(options: Partial<EventRecorderOptions> = {}) {
  const clock = new FakeClock();
  const sink = new MemorySink(clock);
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as { level: number; msg: string }) });
  const recorder = new EventRecorder({ identity: 'modelship-0', logger, sink, clock, aggregationWindowMs: 1000, ...options });
  return { clock, sink, logs, recorder };
}

void test('50 identical events in a burst become one Event with count 50 and a single write', async () => {
  const { sink, recorder } = setup();
  for (let i = 0; i < 50; i++) recorder.emit(obj, 'Warning', 'ImagePullBackOff', 'image example.invalid/x:1 cannot be pulled');
  assert.equal(sink.writes.length, 0, 'emit never writes on the caller’s stack');
  await settle();
  assert.equal(sink.writes.length, 1);
  const event = sink.writes[0]!.event!;
  assert.equal(event.count, 50);
  assert.equal(event.type, 'Warning');
  assert.equal(event.reason, 'ImagePullBackOff');
  assert.deepEqual(event.involvedObject, { apiVersion: obj.apiVersion, kind: obj.kind, name: 'fraud', namespace: 'ml', uid: 'uid-1' });
  assert.equal(event.metadata.namespace, 'ml');
  assert.equal(event.reportingComponent, 'modelship');
  assert.equal(event.reportingInstance, 'modelship-0');
  assert.equal(event.source?.component, 'modelship');
});

void test('repeats spread over time are written at most once per window, and the final count arrives', async () => {
  const { clock, sink, recorder } = setup();
  for (let i = 0; i < 40; i++) {
    recorder.emit(obj, 'Normal', 'Progressing', 'rolling out');
    await clock.advance(100);
  }
  await clock.advance(2000);
  const writes = sink.writes;
  assert.equal(writes[0]!.op, 'create');
  assert.ok(writes.slice(1).every((w) => w.op === 'update' && w.name === writes[0]!.name), 'one Event, updated');
  for (let i = 1; i < writes.length; i++) assert.ok(writes[i]!.at - writes[i - 1]!.at >= 1000, `writes ${i - 1} and ${i} less than a window apart`);
  assert.ok(writes.length <= 5, `${writes.length} writes for 40 events over 4 s`);
  assert.deepEqual(sink.counts(), [40]);
});

void test('different reasons, messages or objects are different Events', async () => {
  const { sink, recorder } = setup();
  recorder.emit(obj, 'Normal', 'Created', 'created Deployment fraud-stable');
  recorder.emit(obj, 'Normal', 'Created', 'created Service fraud');
  recorder.emit(obj, 'Warning', 'Stalled', 'created Service fraud');
  recorder.emit({ ...obj, name: 'churn', uid: 'uid-2' }, 'Normal', 'Created', 'created Service fraud');
  recorder.emit(obj, 'Normal', 'Created', 'created Service fraud');
  await settle();
  assert.equal(sink.events.size, 4);
  assert.deepEqual(sink.counts().sort(), [1, 1, 1, 2]);
});

void test('a full queue drops events with one warning, and recovers', async () => {
  const { clock, sink, logs, recorder } = setup({ queueSize: 2 });
  let release = (): void => undefined;
  sink.hold = new Promise((resolve) => (release = resolve));
  for (let i = 0; i < 6; i++) recorder.emit(obj, 'Normal', `Reason${i}`, 'm');
  await settle();
  // Reason0 and Reason1 fill the queue before the writer starts; the other four are dropped.
  const warnings = logs.filter((l) => l.msg.includes('event queue full'));
  assert.equal(warnings.length, 1);
  release();
  sink.hold = undefined;
  await clock.advance(10);
  assert.equal(sink.events.size, 2);
  recorder.emit(obj, 'Normal', 'Reason5', 'm');
  await settle();
  assert.equal(sink.events.size, 3, 'a dropped event is written at its next emit');
});

void test('a failed write is logged, not thrown, and the next repeat writes it', async () => {
  const { clock, sink, logs, recorder } = setup();
  sink.fail = 1;
  assert.doesNotThrow(() => recorder.emit(obj, 'Warning', 'Failed', 'boom'));
  await settle();
  assert.equal(sink.writes.length, 0);
  assert.equal(logs.filter((l) => l.msg === 'could not write an Event').length, 1);
  await clock.advance(5000);
  assert.equal(sink.writes.length, 0, 'no retries on its own');
  recorder.emit(obj, 'Warning', 'Failed', 'boom');
  await settle();
  assert.deepEqual(sink.counts(), [2]);
});

void test('an Event that expired is created again with the running count', async () => {
  const { clock, sink, recorder } = setup();
  recorder.emit(obj, 'Normal', 'Scaled', 'scaled to 3');
  await settle();
  sink.gone = true;
  await clock.advance(1000);
  recorder.emit(obj, 'Normal', 'Scaled', 'scaled to 3');
  await settle();
  assert.deepEqual(sink.writes.map((w) => [w.op, w.count]), [['create', 1], ['create', 2]]);
});

void test('close() writes the counts waiting for their window and ignores later emits', async () => {
  const { clock, sink, recorder } = setup({ aggregationWindowMs: 30_000 });
  for (let i = 0; i < 5; i++) {
    recorder.emit(obj, 'Normal', 'Reconciled', 'ok');
    await clock.advance(10);
  }
  assert.deepEqual(sink.counts(), [1]);
  await recorder.close();
  assert.deepEqual(sink.counts(), [5]);
  recorder.emit(obj, 'Normal', 'Reconciled', 'ok');
  await clock.advance(60_000);
  assert.deepEqual(sink.counts(), [5]);
  assert.equal(clock.pendingTimers(), 0);
});

void test('the writer keeps to its request rate', async () => {
  const { clock, sink, recorder } = setup({ writesPerSecond: 2, writeBurst: 2 });
  for (let i = 0; i < 6; i++) recorder.emit(obj, 'Normal', `Reason${i}`, 'm');
  await clock.advance(10_000);
  assert.deepEqual(sink.writes.map((w) => w.at), [0, 0, 500, 1000, 1500, 2000]);
});

void test('long reasons and messages are cut to the API server limits', async () => {
  const { sink, recorder } = setup();
  recorder.emit(obj, 'Warning', 'R'.repeat(300), 'm'.repeat(5000), 'A'.repeat(300));
  await settle();
  const event = sink.writes[0]!.event!;
  assert.equal(event.reason?.length, 128);
  assert.equal(event.message?.length, 1024);
  assert.equal(event.action?.length, 128);
});
