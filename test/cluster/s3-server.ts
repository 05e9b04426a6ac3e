// A real S3-compatible object store for the model-fetch tests and benchmarks: versitygw (built from its Go
// module, test/cluster/go/versitygw) serving SigV4 S3 over a plain folder (posix backend, metadata in a
// sidecar folder, so no extended attributes are needed). It listens on a free loopback port, and also on
// `extraHost` (e.g. the pod network's host address) on the same port when asked. The root access key and
// secret are generated per run and reach versitygw through its environment, never its arguments.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { freePort } from './free-port.ts';
import { waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import { ensureTools } from './tools.ts';

export interface S3ServerOptions {
  /** Folder of the tool binaries (ensureTools()); built or found when absent. */
  readonly toolsDir?: string;
  /** A second address to listen on (same port), e.g. the pod network's host side. */
  readonly extraHost?: string;
}

export interface S3Server {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** http://<extraHost>:<port>, when an extra host was given. */
  readonly podEndpoint?: string | undefined;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The folder versitygw serves: <root>/<bucket>/<key>. */
  readonly dataDir: string;
  /** An SDK client with the root credentials. */
  readonly client: S3Client;
  /** The environment a fetcher needs to reach this server with the root credentials. */
  fetcherEnv(): Record<string, string>;
  createBucket(bucket: string): Promise<void>;
  putObject(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  /** Multipart upload of a local file (any size). */
  uploadFile(bucket: string, key: string, file: string): Promise<void>;
  readonly process: ManagedProcess;
  /** Stops versitygw and keeps its folder (an outage); resume() starts it again on the same port and folder. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const toolsDir = options.toolsDir ?? (await ensureTools());
  const dir = mkdtempSync(join(tmpdir(), 'modelship-s3-'));
  const dataDir = join(dir, 'data');
  const metaDir = join(dir, 'meta');
  mkdirSync(dataDir);
  mkdirSync(metaDir);
  const accessKeyId = `MS${randomBytes(9).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  const port = await freePort();
  const addresses = [`127.0.0.1:${port}`, ...(options.extraHost !== undefined ? [`${options.extraHost}:${port}`] : [])];
  const launch = (run: number) =>
    new ManagedProcess({
      name: 'versitygw',
      command: join(toolsDir, 'versitygw'),
      args: [...addresses.flatMap((a) => ['--port', a]), '--quiet', 'posix', '--sidecar', metaDir, dataDir],
      logFile: join(dir, run === 0 ? 'versitygw.log' : `versitygw-${run}.log`),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey, VGW_REGION: region },
    });
  let runs = 0;
  let process_ = launch(runs);
  const listening = () =>
    waitFor('versitygw to listen', async () => {
      if (!process_.running) throw new Error(`versitygw exited:\n${process_.tail()}`);
      return portOpen(port);
    }, 20_000, 100);
  const stop = async () => {
    await process_.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening();
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region, endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    podEndpoint: options.extraHost !== undefined ? `http://${options.extraHost}:${port}` : undefined,
    region,
    accessKeyId,
    secretAccessKey,
    dataDir,
    client,
    get process() {
      return process_;
    },
    halt: async () => {
      await process_.stop();
    },
    resume: async () => {
      process_ = launch(++runs);
      await listening();
    },
    fetcherEnv: () => ({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region, AWS_ENDPOINT_URL: endpoint }),
    createBucket: async (bucket) => {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    putObject: async (bucket, key, body) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    uploadFile: async (bucket, key, file) => {
      await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: 16 * 1024 * 1024, queueSize: 2 }).done();
    },
    stop: async () => {
      client.destroy();
      await stop();
    },
  };
}
