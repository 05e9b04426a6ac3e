// Reads the reference (CSV with a header row, JSON lines of objects, or Parquet) into a ReferenceTable,
// streamed, within its bounds: at most MAX_REFERENCE_ROWS rows and MAX_REFERENCE_BYTES bytes.
import type { S3Client } from '@aws-sdk/client-s3';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { lines } from '../agent/log-scan.ts';
import type { ReferenceFormat, SourceUri } from './args.ts';
import { CsvReader } from './csv-reader.ts';
import { FetchFailure } from '../fetcher/failure.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { parquetSource, streamObject } from './object-store.ts';
import { csvCell, jsonCell, type ReferenceTable } from './reference-table.ts';

export const MAX_REFERENCE_ROWS = 1_000_000;
export const MAX_REFERENCE_BYTES = 1024 ** 3;
const MAX_LINE_CHARS = 16 * 1024 * 1024;

type Log = (line: string) => void;

/** A storage or network error (classified by the fetcher's mapping), as opposed to one about the data. */
function isStorageError(err: unknown): boolean {
  return err instanceof DriftJobFailure || err instanceof FetchFailure || !(err instanceof Error) || 'code' in err || '$metadata' in err;
}

function unreadable(uri: string, text: string): DriftJobFailure {
  return new DriftJobFailure('UnreadableData', `${uri}: ${text}`);
}

function countRow(table: ReferenceTable, uri: string): void {
  if (table.rows >= MAX_REFERENCE_ROWS) throw unreadable(uri, `more than ${MAX_REFERENCE_ROWS} rows; profile a sample of the training data`);
}

async function readCsv(chunks: AsyncIterable<Uint8Array>, table: ReferenceTable, uri: string): Promise<void> {
  const reader = new CsvReader();
  const decoder = new TextDecoder();
  let header: string[] | undefined;
  const take = (records: string[][]) => {
    for (const record of records) {
      if (header === undefined) {
        header = record.map((h) => h.trim());
        const dup = header.find((h, i) => header!.indexOf(h) !== i);
        if (dup !== undefined) throw unreadable(uri, `the header names the column '${dup}' twice`);
        if (header.some((h) => h === '')) throw unreadable(uri, 'the header has an empty column name');
        continue;
      }
      if (record.length === 1 && record[0] === '') continue; // a blank line
      if (record.length !== header.length) throw unreadable(uri, `row ${table.rows + 1} has ${record.length} fields where the header has ${header.length}`);
      countRow(table, uri);
      const h = header;
      table.addRow(record.map((field, i) => [h[i]!, csvCell(field)] as const));
    }
  };
  try {
    for await (const chunk of chunks) take(reader.push(decoder.decode(chunk, { stream: true })));
    take(reader.push(decoder.decode()));
    take(reader.finish());
  } catch (err) {
    if (isStorageError(err)) throw err;
    throw unreadable(uri, (err as Error).message);
  }
  if (header === undefined) throw unreadable(uri, 'the file is empty (no header row)');
}

async function readJsonl(chunks: AsyncIterable<Uint8Array>, table: ReferenceTable, uri: string): Promise<void> {
  let n = 0;
  try {
    for await (const line of lines(chunks, MAX_LINE_CHARS)) {
      n++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw unreadable(uri, `line ${n} is not valid JSON`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unreadable(uri, `line ${n} is not a JSON object (one object per row, keys are the columns)`);
      countRow(table, uri);
      table.addRow(Object.entries(value).map(([k, v]) => [k, jsonCell(v)] as const));
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('a line longer')) throw unreadable(uri, `line ${n + 1}: ${err.message}`);
    throw err;
  }
}

async function readParquet(client: S3Client, src: SourceUri, table: ReferenceTable, log: Log): Promise<void> {
  const file = await parquetSource(client, src, MAX_REFERENCE_BYTES, log);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    if (isStorageError(err)) throw err;
    throw unreadable(src.uri, `not a Parquet file (${(err as Error).message})`);
  }
  const total = Number(metadata.num_rows);
  if (total > MAX_REFERENCE_ROWS) throw unreadable(src.uri, `${total} rows, more than ${MAX_REFERENCE_ROWS}; profile a sample of the training data`);
  let rowStart = 0;
  // One row group at a time: hyparquet fetches only its column chunks.
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = (await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors })) as Record<string, unknown>[];
    for (const row of rows) table.addRow(Object.entries(row).map(([k, v]) => [k, jsonCell(v)] as const));
    rowStart = rowEnd;
  }
}

export async function readReference(client: S3Client, src: SourceUri, format: ReferenceFormat, table: ReferenceTable, log: Log): Promise<void> {
  if (format === 'parquet') return readParquet(client, src, table, log);
  const chunks = streamObject(client, src, MAX_REFERENCE_BYTES, log);
  if (format === 'csv') return readCsv(chunks, table, src.uri);
  return readJsonl(chunks, table, src.uri);
}
