// One log line as the drift commands use it: a record inside the window that is a successful inference
// call, with its request's inputs and its response; anything else is counted by why it was left out.
// Shared by the check (window-summary.ts) and the profile of a logged reference (logged-table.ts). Pure.
import type { DriftWindow } from './drift-window.ts';
import { inWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { requestInputs, type RequestInput } from './request-inputs.ts';

export interface WindowReadCounts {
  files: number;
  /** Records inside the window. */
  records: number;
  /** Inference requests whose rows were read. */
  used: number;
  rows: number;
  readonly skipped: { notSuccessful: number; notInference: number; unreadable: number };
}

export const newReadCounts = (): WindowReadCounts => ({ files: 0, records: 0, used: 0, rows: 0, skipped: { notSuccessful: 0, notInference: 0, unreadable: 0 } });

export interface LoggedRequest {
  readonly inputs: readonly RequestInput[];
  readonly rows: number;
  readonly response: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The inference request of a line inside the window, or undefined (counted in `read`). A request body
 * that claims to be one but cannot be read throws, naming `where`. `read.used` and `read.rows` are the
 * caller's to count once it has used the rows.
 */
export function loggedRequest(line: string, window: DriftWindow, read: WindowReadCounts, where: string): LoggedRequest | undefined {
  if (line.trim() === '') return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    read.skipped.unreadable++;
    return undefined;
  }
  if (!isRecord(record) || !inWindow(record.time, window)) return undefined;
  read.records++;
  if (typeof record.status !== 'number' || record.status < 200 || record.status > 299 || (record.method !== undefined && record.method !== 'POST')) {
    read.skipped.notSuccessful++;
    return undefined;
  }
  if (typeof record.request === 'string') {
    // A body the agent cut at its capture cap, or that was not JSON.
    read.skipped.unreadable++;
    return undefined;
  }
  const parsed = requestInputs(record.request);
  if (parsed.kind === 'none') {
    read.skipped.notInference++;
    return undefined;
  }
  if (parsed.kind === 'error') throw new DriftJobFailure('UnreadableData', `${where}: request ${String(record.requestId)}: ${parsed.error}`);
  return { inputs: parsed.inputs, rows: parsed.rows, response: record.response };
}
