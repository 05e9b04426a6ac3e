// Streams the log lines of a window: for each version folder, the files of the hour partitions that
// overlap the window (drift-window.ts), oldest hour first, one record line at a time. Shared by the check
// and the profile of a logged reference, so both read the same records the same way.
import type { S3Client } from '@aws-sdk/client-s3';
import { lines } from '../agent/log-scan.ts';
import { FetchFailure } from '../fetcher/failure.ts';
import { hourPrefixes, isWindowFile, type DriftWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { listKeys, streamObject } from './object-store.ts';

type Log = (line: string) => void;

/** A logged record is at most two bounded bodies (the agent's capture cap) and its fields. */
const MAX_RECORD_CHARS = 64 * 1024 * 1024;

export interface LogLocation {
  /** The log URI, for messages. */
  readonly uri: string;
  readonly bucket: string;
}

/** Calls `onFile` once per file and `onLine` per line; `versionRoots` are `.../version=<v>/` folders. */
export async function readWindowLines(
  client: S3Client,
  logs: LogLocation,
  versionRoots: readonly string[],
  window: DriftWindow,
  log: Log,
  onLine: (line: string, uri: string) => void,
  onFile: () => void,
): Promise<void> {
  try {
    for (const root of versionRoots) {
      for (const prefix of hourPrefixes(root, window)) {
        const keys = (await listKeys(client, logs.bucket, prefix, log)).filter((k) => isWindowFile(k, window)).sort();
        for (const key of keys) {
          const uri = `s3://${logs.bucket}/${key}`;
          onFile();
          for await (const line of lines(streamObject(client, { kind: 's3', uri, location: { bucket: logs.bucket, key } }, Number.MAX_SAFE_INTEGER, log), MAX_RECORD_CHARS)) {
            onLine(line, uri);
          }
        }
      }
    }
  } catch (err) {
    // Under the log URI, a missing bucket (or a file gone since the listing) is the store's problem, not a missing profile.
    if (err instanceof FetchFailure && err.cls === 'ModelNotFound') throw new DriftJobFailure('Storage', `${err.message} (reading the logs under ${logs.uri})`);
    if (err instanceof Error && err.message.startsWith('a line longer')) throw new DriftJobFailure('UnreadableData', `${logs.uri}: a log file has ${err.message}`);
    throw err;
  }
}
