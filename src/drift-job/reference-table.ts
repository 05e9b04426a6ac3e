// The reference's columns as they are read, one value at a time: numbers in a growing Float64Array (8 bytes
// a value), other values as counts per distinct text, missing values counted. Columns that are neither a
// feature nor the target are not kept. Pure.
import { MAX_CATEGORY_CHARS } from './profile-document.ts';

export type Cell = number | string | null;

export class ColumnValues {
  #numbers = new Float64Array(1024);
  numberCount = 0;
  readonly texts = new Map<string, number>();
  missing = 0;
  /** Some number is not an integer. */
  fractional = false;

  add(v: Cell): void {
    if (v === null) this.missing++;
    else if (typeof v === 'number') {
      if (this.numberCount === this.#numbers.length) {
        const grown = new Float64Array(this.#numbers.length * 2);
        grown.set(this.#numbers);
        this.#numbers = grown;
      }
      this.#numbers[this.numberCount++] = v;
      if (!Number.isInteger(v)) this.fractional = true;
    } else this.texts.set(v, (this.texts.get(v) ?? 0) + 1);
  }

  numbers(): Float64Array {
    return this.#numbers.subarray(0, this.numberCount);
  }
}

/** A CSV field as a value: empty is missing, a finite number is a number, anything else text. */
export function csvCell(field: string): Cell {
  const t = field.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : category(field);
}

/** A JSON or Parquet value as a value: objects and arrays as their JSON text. */
export function jsonCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return category(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return category(value.toISOString());
  return category(JSON.stringify(value, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
}

/** Category texts are cut to a bound, the same way in the profile and in the drift window. */
export function category(text: string): string {
  return text.length <= MAX_CATEGORY_CHARS ? text : text.slice(0, MAX_CATEGORY_CHARS);
}

/**
 * The table being read. `wanted` decides which columns are kept (features and the target); the others are
 * only named. Columns may appear late (JSONL): their earlier rows count as missing.
 */
export class ReferenceTable {
  rows = 0;
  /** Every column seen, in first-seen order. */
  readonly columns: string[] = [];
  readonly values = new Map<string, ColumnValues>();
  readonly #seen = new Set<string>();
  readonly #wanted: (name: string) => boolean;
  readonly #maxColumns: number;

  constructor(wanted: (name: string) => boolean, maxColumns: number) {
    this.#wanted = wanted;
    this.#maxColumns = maxColumns;
  }

  #column(name: string): ColumnValues | undefined {
    if (!this.#seen.has(name)) {
      this.#seen.add(name);
      this.columns.push(name);
      if (this.#wanted(name)) {
        if (this.values.size >= this.#maxColumns) throw new Error(`more than ${this.#maxColumns} feature columns: exclude the others, or list the features`);
        const column = new ColumnValues();
        column.missing = this.rows;
        this.values.set(name, column);
      }
    }
    return this.values.get(name);
  }

  /** One row as (name, value) pairs; kept columns it lacks count as missing. */
  addRow(cells: Iterable<readonly [string, Cell]>): void {
    const filled = new Set<ColumnValues>();
    for (const [name, cell] of cells) {
      const column = this.#column(name);
      if (column === undefined || filled.has(column)) continue;
      column.add(cell);
      filled.add(column);
    }
    for (const column of this.values.values()) if (!filled.has(column)) column.missing++;
    this.rows++;
  }
}
