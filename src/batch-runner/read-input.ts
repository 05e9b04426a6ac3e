// The shard's records, streamed in input order from its byte ranges (jsonl, csv) or row groups (parquet).
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import type { InputFormat } from './args.ts';
import { isBlank, parseCsvRecord, parseJsonRecord, parseParquetRow, splitCsv, type Parsed, type RowShape } from './records.ts';
import { RangeLines, rowGroupsOf, textRanges, type InputFile, type Line, type RowGroupRef } from './shards.ts';
import type { Store } from './storage.ts';

export type Position = { readonly file: string; readonly offset: number } | { readonly file: string; readonly row: number };

export interface InputRecord {
  readonly position: Position;
  /** The record's text, for the errors file. */
  readonly raw: string;
  readonly parsed: Parsed;
}

// Lines and records go up in arrays: a generator step per record cost more than parsing it. A record array
// holds at most RECORD_SLICE records, parsed just before they go up: parsing a whole 64 KiB chunk (about
// 2,600 rows) in one turn kept the runner from reading the model server's answers for milliseconds, long
// enough for the server to finish the requests it had and wait.
const RECORD_SLICE = 64;

async function* rangeLines(store: Store, file: string, start: number, end: number): AsyncGenerator<Line[]> {
  const splitter = new RangeLines(start, end, file);
  for await (const chunk of store.read(file, splitter.readFrom)) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
    if (splitter.done) return; // leaving the loop closes the body: the rest of the object is not read
  }
  const last = splitter.finish();
  if (last.length > 0) yield last;
}

async function csvHeader(store: Store, file: string): Promise<string[] | undefined> {
  for await (const lines of rangeLines(store, file, 0, 1)) return lines[0] === undefined ? undefined : splitCsv(lines[0].text);
  return undefined;
}

async function* textRecords(store: Store, files: readonly InputFile[], format: 'jsonl' | 'csv', shards: number, shard: number): AsyncGenerator<InputRecord[]> {
  let shape: RowShape | undefined;
  for (const range of textRanges(files, shards, shard)) {
    const header = format === 'csv' ? await csvHeader(store, range.file) : undefined;
    for await (const lines of rangeLines(store, range.file, range.start, range.end)) {
      let records: InputRecord[] = [];
      for (const line of lines) {
        if (format === 'csv' && line.offset === 0) continue; // the header
        const raw = line.text;
        if (isBlank(raw)) continue;
        const parsed: Parsed =
          format === 'jsonl' ? parseJsonRecord(raw, shape)
            : header === undefined ? { ok: false, reason: 'the file has no valid header' }
              : parseCsvRecord(raw, header);
        if (parsed.ok) shape ??= parsed.shape;
        records.push({ position: line, raw, parsed });
        if (records.length >= RECORD_SLICE) {
          yield records;
          records = [];
        }
      }
      if (records.length > 0) yield records;
    }
  }
}

const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);

function parquetBuffer(store: Store, file: string, size: number): AsyncBuffer {
  return { byteLength: size, slice: (start, end) => store.readBytes(file, start, end ?? size) };
}

function numericColumns(meta: FileMetaData): string[] {
  return meta.schema.slice(1).filter((s) => (s.num_children ?? 0) === 0 && s.type !== undefined && NUMERIC.has(s.type)).map((s) => s.name);
}

const toJson = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

async function* parquetRecords(store: Store, files: readonly InputFile[], shards: number, shard: number): AsyncGenerator<InputRecord[]> {
  const metas = new Map<string, FileMetaData>();
  const groups: RowGroupRef[] = [];
  for (const f of files) {
    const meta = await parquetMetadataAsync(parquetBuffer(store, f.file, f.size));
    metas.set(f.file, meta);
    let rowStart = 0;
    for (const [index, g] of meta.row_groups.entries()) {
      groups.push({ file: f.file, index, rowStart, rows: Number(g.num_rows) });
      rowStart += Number(g.num_rows);
    }
  }
  let columns: string[] | undefined;
  for (const g of rowGroupsOf(groups, shards, shard)) {
    const meta = metas.get(g.file)!;
    const size = files.find((f) => f.file === g.file)!.size;
    columns ??= numericColumns(meta);
    // One row group at a time: hyparquet fetches only its column chunks through the ranged reads.
    const rows = (await parquetReadObjects({ file: parquetBuffer(store, g.file, size), metadata: meta, rowStart: g.rowStart, rowEnd: g.rowStart + g.rows })) as Record<string, unknown>[];
    const cols = columns;
    // In slices: a record's raw text is made only shortly before it is scored.
    for (let at = 0; at < rows.length; at += RECORD_SLICE) {
      yield rows.slice(at, at + RECORD_SLICE).map((record, i) => ({ position: { file: g.file, row: g.rowStart + at + i }, raw: toJson(record), parsed: parseParquetRow(record, cols) }));
    }
  }
}

/** The shard's records in input order, in arrays of at most RECORD_SLICE each. */
export async function* readShard(store: Store, format: InputFormat, shards: number, shard: number): AsyncGenerator<InputRecord[]> {
  const files = await store.listInput();
  if (format === 'parquet') yield* parquetRecords(store, files, shards, shard);
  else yield* textRecords(store, files, format, shards, shard);
}
