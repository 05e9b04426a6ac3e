// `modelship batch` arguments. Pure.
import { parseLongOptions } from '../long-options.ts';
import { DEFAULT_PVC_ROOT, parseLocation, type Location } from './uri.ts';

export type InputFormat = 'jsonl' | 'csv' | 'parquet';

export interface BatchPlan {
  readonly input: Location;
  readonly format: InputFormat;
  readonly output: Location;
  readonly run: string;
  readonly shards: number;
  readonly shard: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly maxFailedRecords: number;
  readonly server: string;
  readonly model: string;
  readonly modelVersion?: string | undefined;
  readonly readyTimeoutMs: number;
  readonly terminationLog?: string | undefined;
}

export const BATCH_USAGE = `usage: batch --input URI --input-format jsonl|csv|parquet --output RUN_URI --run NAME --shards N
             --model NAME [--shard I] [--batch-size 64] [--concurrency 4] [--max-failed-records 0]
             [--server http://127.0.0.1:8080] [--model-version V] [--ready-timeout 600s]
             [--termination-log /dev/termination-log]
  URIs are s3://bucket/key-or-prefix or pvc://claim/path (under MODELSHIP_PVC_ROOT, default ${DEFAULT_PVC_ROOT}).
  --shard defaults to JOB_COMPLETION_INDEX. S3 settings come from the environment as for fetch.
`;

const KNOWN = new Set(['input', 'input-format', 'output', 'run', 'shards', 'shard', 'batch-size', 'concurrency', 'max-failed-records', 'server', 'model', 'model-version', 'ready-timeout', 'termination-log']);

/** 600s, 10m, 1h, 1500ms or a bare number of seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

function int(text: string | undefined, min: number): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

export type BatchArgsResult = { readonly ok: true; readonly plan: BatchPlan } | { readonly ok: false; readonly error: string };

export function parseBatchArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BatchArgsResult {
  const parsed = parseLongOptions(argv, KNOWN, ['input', 'input-format', 'output', 'run', 'shards', 'model']);
  if (!parsed.ok) return parsed;
  const need = (name: string) => parsed.values.get(name);
  const pvcRoot = env.MODELSHIP_PVC_ROOT !== undefined && env.MODELSHIP_PVC_ROOT !== '' ? env.MODELSHIP_PVC_ROOT : DEFAULT_PVC_ROOT;
  const input = parseLocation(need('input')!, pvcRoot);
  if (typeof input === 'string') return { ok: false, error: input };
  const output = parseLocation(need('output')!, pvcRoot);
  if (typeof output === 'string') return { ok: false, error: output };
  const format = need('input-format')!;
  if (format !== 'jsonl' && format !== 'csv' && format !== 'parquet') return { ok: false, error: `--input-format must be jsonl, csv or parquet, not '${format}'` };
  const shards = int(need('shards'), 1);
  if (shards === undefined) return { ok: false, error: '--shards must be a whole number of at least 1' };
  const shardText = need('shard') ?? env.JOB_COMPLETION_INDEX;
  const shard = int(shardText, 0);
  if (shard === undefined || shard >= shards) return { ok: false, error: `--shard (or JOB_COMPLETION_INDEX) must be a whole number below --shards (${shards})` };
  const batchSize = int(need('batch-size') ?? '64', 1);
  if (batchSize === undefined) return { ok: false, error: '--batch-size must be a whole number of at least 1' };
  const concurrency = int(need('concurrency') ?? '4', 1);
  if (concurrency === undefined) return { ok: false, error: '--concurrency must be a whole number of at least 1' };
  const maxFailedRecords = int(need('max-failed-records') ?? '0', 0);
  if (maxFailedRecords === undefined) return { ok: false, error: '--max-failed-records must be a whole number' };
  const readyTimeoutMs = parseDuration(need('ready-timeout') ?? '600s');
  if (readyTimeoutMs === undefined) return { ok: false, error: '--ready-timeout must be a duration such as 600s or 10m' };
  const server = (need('server') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(server)) return { ok: false, error: '--server must be http(s)://host[:port]' };
  const run = need('run')!;
  const model = need('model')!;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model)) return { ok: false, error: '--model must be a model name' };
  const modelVersion = need('model-version');
  return {
    ok: true,
    plan: {
      input, format, output, run, shards, shard, batchSize, concurrency, maxFailedRecords, server, model,
      modelVersion: modelVersion !== '' ? modelVersion : undefined, readyTimeoutMs,
      terminationLog: need('termination-log') ?? '/dev/termination-log',
    },
  };
}
