// MLServer as a local process serving a models folder over HTTP on a free loopback port (gRPC and metrics on
// free ports too), inference in the HTTP process (MLSERVER_PARALLEL_WORKERS=0).
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import type { PythonEnv } from './python-env.ts';

export interface MlserverProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  /** Until GET /v2/models/<model>/ready answers 200. */
  waitReady(model: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMlserver(env: PythonEnv, modelsDir: string, logFile: string): Promise<MlserverProcess> {
  const httpPort = await freePort();
  const proc = new ManagedProcess({
    name: 'mlserver',
    command: join(env.bin, 'mlserver'),
    args: ['start', modelsDir],
    logFile,
    env: {
      ...process.env, PATH: `${env.bin}:${process.env.PATH ?? ''}`, MLSERVER_HOST: '127.0.0.1', MLSERVER_HTTP_PORT: String(httpPort),
      MLSERVER_GRPC_PORT: String(await freePort()), MLSERVER_METRICS_PORT: String(await freePort()), MLSERVER_PARALLEL_WORKERS: '0',
    },
  });
  const url = `http://127.0.0.1:${httpPort}`;
  return {
    url,
    process: proc,
    waitReady: (model, timeoutMs = 180_000) =>
      waitFor(`MLServer ${model} ready`, async () => {
        if (!proc.running) throw new Error(`MLServer exited:\n${proc.tail(20)}`);
        try {
          const res = await fetch(`${url}/v2/models/${model}/ready`);
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        }
      }, timeoutMs, 250),
    stop: () => proc.stop(),
  };
}
