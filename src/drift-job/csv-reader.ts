// An RFC 4180 CSV reader fed in pieces: commas separate fields, double quotes enclose a field that may hold
// commas, quotes ("") and line breaks; records end in LF or CRLF. The first record is the header. Pure:
// text goes in, records (arrays of fields) come out.

export class CsvReader {
  #field = '';
  #record: string[] = [];
  /** Inside a quoted field. */
  #quoted = false;
  /** The field began with a quote (text after its closing quote is an error). */
  #wasQuoted = false;
  /** The previous character was a quote inside a quoted field: an escape or the closing quote. */
  #quotePending = false;
  #pendingCr = false;
  /** Characters in the field being read, so one malformed field cannot take all memory. */
  readonly #maxField: number;
  #line = 1;

  constructor(maxField = 1 << 20) {
    this.#maxField = maxField;
  }

  /** The records completed by `text`; throws on a malformed record (with its line). */
  push(text: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < text.length; i++) this.#char(text[i]!, out);
    if (this.#field.length > this.#maxField) throw new Error(`line ${this.#line}: a field longer than ${this.#maxField} characters`);
    return out;
  }

  /** The last record when the text does not end in a line break. */
  finish(): string[][] {
    if (this.#quoted && !this.#quotePending) throw new Error(`line ${this.#line}: a quoted field is not closed`);
    this.#quoted = false;
    this.#quotePending = false;
    this.#pendingCr = false;
    if (this.#field === '' && this.#record.length === 0 && !this.#wasQuoted) return [];
    return [this.#endRecord()];
  }

  #endRecord(): string[] {
    this.#record.push(this.#field);
    const record = this.#record;
    this.#record = [];
    this.#field = '';
    this.#wasQuoted = false;
    return record;
  }

  #char(c: string, out: string[][]): void {
    if (this.#quoted) {
      if (this.#quotePending) {
        this.#quotePending = false;
        if (c === '"') {
          this.#field += '"';
          return;
        }
        this.#quoted = false; // that quote closed the field; c is read as outside
      } else if (c === '"') {
        this.#quotePending = true;
        return;
      } else {
        if (c === '\n') this.#line++;
        this.#field += c;
        return;
      }
    }
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (c !== '\n') this.#field += '\r';
    }
    if (c === ',') {
      this.#record.push(this.#field);
      this.#field = '';
      this.#wasQuoted = false;
    } else if (c === '\n') {
      out.push(this.#endRecord());
      this.#line++;
    } else if (c === '\r') {
      this.#pendingCr = true;
    } else if (c === '"') {
      if (this.#field !== '' || this.#wasQuoted) throw new Error(`line ${this.#line}: a quote inside an unquoted field`);
      this.#quoted = true;
      this.#wasQuoted = true;
    } else {
      if (this.#wasQuoted) throw new Error(`line ${this.#line}: text after the closing quote of a field`);
      this.#field += c;
    }
  }
}

/** Every record of a whole CSV text (tests and small files). */
export function parseCsv(text: string): string[][] {
  const reader = new CsvReader();
  return [...reader.push(text), ...reader.finish()];
}
