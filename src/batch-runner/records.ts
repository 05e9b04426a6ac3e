// Input records into rows of numbers for the model. Pure.

/** The columns of the shard's records, fixed by its first good record. */
export type RowShape = { readonly kind: 'array'; readonly width: number } | { readonly kind: 'object'; readonly keys: readonly string[] };

export type Parsed = { readonly ok: true; readonly row: number[]; readonly shape: RowShape } | { readonly ok: false; readonly reason: string };

const MAX_RAW = 1024;

/** The raw text of a bad record as kept in the errors file: at most 1 KiB. */
export function truncateRaw(text: string): string {
  if (text.length <= MAX_RAW) return text;
  return text.slice(0, MAX_RAW);
}

/** Whether a line carries no record (blank lines are skipped, not counted). */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

export function parseJsonRecord(text: string, shape: RowShape | undefined): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { ok: false, reason: 'an empty array' };
    if (!value.every((v) => typeof v === 'number' && Number.isFinite(v))) return { ok: false, reason: 'an array with a value that is not a finite number' };
    const row = value as number[];
    if (shape === undefined) return { ok: true, row, shape: { kind: 'array', width: row.length } };
    if (shape.kind !== 'array') return { ok: false, reason: 'an array where the first record was an object' };
    if (row.length !== shape.width) return { ok: false, reason: `${row.length} values where the first record had ${shape.width}` };
    return { ok: true, row, shape };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return { ok: false, reason: 'an empty object' };
    if (!entries.every(([, v]) => typeof v === 'number' && Number.isFinite(v))) return { ok: false, reason: 'an object with a value that is not a finite number' };
    if (shape === undefined) return { ok: true, row: entries.map(([, v]) => v as number), shape: { kind: 'object', keys: entries.map(([k]) => k) } };
    if (shape.kind !== 'object') return { ok: false, reason: 'an object where the first record was an array' };
    const record = value as Record<string, number>;
    if (entries.length !== shape.keys.length || !shape.keys.every((k) => Object.hasOwn(record, k))) {
      return { ok: false, reason: 'keys other than those of the first record' };
    }
    return { ok: true, row: shape.keys.map((k) => record[k]!), shape };
  }
  return { ok: false, reason: 'neither an array nor an object of numbers' };
}

/** One CSV line into cells: commas separate, double quotes enclose a cell ("" is a quote). */
export function splitCsv(text: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      wasQuoted = false;
    } else if (c === '"' && cell.trim() === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else cell += c;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

export function parseCsvRecord(text: string, header: readonly string[]): Parsed {
  const cells = splitCsv(text);
  if (cells === undefined) return { ok: false, reason: 'an unterminated quoted cell' };
  if (cells.length !== header.length) return { ok: false, reason: `${cells.length} cells where the header has ${header.length}` };
  const row: number[] = [];
  for (const [i, cell] of cells.entries()) {
    const v = cell.trim() === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(v)) return { ok: false, reason: `column '${header[i]}' is not a number` };
    row.push(v);
  }
  return { ok: true, row, shape: { kind: 'object', keys: header } };
}

/** A parquet row (column name to value) into numbers, in the given column order. */
export function parseParquetRow(record: Readonly<Record<string, unknown>>, columns: readonly string[]): Parsed {
  const row: number[] = [];
  for (const c of columns) {
    const raw = record[c];
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { ok: false, reason: `column '${c}' is not a finite number` };
    row.push(v);
  }
  return { ok: true, row, shape: { kind: 'object', keys: columns } };
}
