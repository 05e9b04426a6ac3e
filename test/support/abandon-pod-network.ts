// For the sweep test: makes a pod network with a process running in it, prints what it made, and waits to be
// killed with kill -9, leaving both behind as a crashed test process would.
import { join } from 'node:path';
import { ManagedProcess } from '../cluster/managed-process.ts';
import { RUNTIME_DIR_VARIABLE, createPodNetwork } from '../cluster/pod-network.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: abandon-pod-network.ts <dir>');
const network = await createPodNetwork({ dir });
// `sh -c '...; :' <dir>` keeps the folder on the command line, which is how the sweep recognises its processes.
const sleeper = new ManagedProcess({ name: 'sleeper', command: 'ip', args: ['netns', 'exec', network.namespace, 'sh', '-c', 'sleep 600; :', dir], logFile: join(dir, 'sleeper.log') });
network.recordProcess(sleeper.pid);
// A process runtime pod's process names its program only; its environment names the folder.
const pod = new ManagedProcess({
  name: 'pod',
  command: 'ip',
  args: ['netns', 'exec', network.namespace, 'sleep', '600'],
  env: { PATH: process.env.PATH, [RUNTIME_DIR_VARIABLE]: join(dir, 'process-runtime') },
  logFile: join(dir, 'pod.log'),
});
network.recordProcess(pod.pid);
process.stdout.write(`${JSON.stringify({ namespace: network.namespace, cidr: network.cidr, pid: sleeper.pid, podPid: pod.pid })}\n`);
setInterval(() => undefined, 60_000);
