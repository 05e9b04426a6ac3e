// Preloaded into the operator (`node --import=<this file>`, `bench/converge-cpu.ts --alloc-profile`): V8's
// sampling heap profiler from start to exit, counting what was collected as well as what lives (--heap-prof
// keeps only what is still alive at the end, which says nothing of what the collector had to do). Writes
// .local/bench-profiles/<pid>.heapprofile under the working directory; read it with bench/heapprofile-top.ts.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = '.local/bench-profiles';
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
// One sample per 32 KiB allocated on average: a few thousand samples a second at most.
session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.on('exit', () => {
  // A session on the main thread answers at once, so this runs before the process ends.
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${process.pid}.heapprofile`, JSON.stringify(result.profile));
  });
});
