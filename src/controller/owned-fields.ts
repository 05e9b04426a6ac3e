// PURE: does the operator still own every field it wants to set? Server-side apply records, per
// field manager, the fields it owns (metadata.managedFields, "FieldsV1"). When someone else
// changes one of our fields (kubectl edit, scale, another apply with force), ownership moves to
// them, so a desired field missing from our set means drift, and only then is an apply needed.
// Works without schemas: associative list items are matched through their `k:{...}` keys. Pure but for a
// memo of parsed list keys, which callers cannot tell from parsing each time.

import { RecentMap } from '../recent-map.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type FieldSet = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields the API server never tracks in managedFields. */
const untrackedTopLevel = new Set(['apiVersion', 'kind', 'status']);
const untrackedMetadata = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']);

// The walk runs for every child version the apply decision has not seen up to date (about 6% of what the
// operator allocated converging 1000 models, mostly Object.entries' pairs): plain loops over keys, each
// list key parsed once (keyOf), primitives compared as they are.

/** A parsed `k:{...}` key of an associative list, or null when it is not one; the same keys recur across children. */
const parsedKeys = new RecentMap<string, Record<string, unknown> | null>(1024);

function keyOf(fieldKey: string): Record<string, unknown> | null {
  if (!fieldKey.startsWith('k:')) return null;
  let key = parsedKeys.get(fieldKey);
  if (key !== undefined) return key;
  try {
    const parsed: unknown = JSON.parse(fieldKey.slice(2));
    key = isObject(parsed) ? parsed : null;
  } catch {
    key = null;
  }
  parsedKeys.set(fieldKey, key);
  return key;
}

/**
 * Equal JSON texts. `b` is JSON.parse's, so a string, a boolean or a finite number has its text in
 * common only with itself: compared as it is, nothing written.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' || typeof a === 'boolean' || (typeof a === 'number' && Number.isFinite(a))) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function matchesKey(item: Record<string, unknown>, key: Record<string, unknown>): boolean {
  let matched = 0;
  for (const k of Object.keys(key)) {
    const have = item[k];
    if (have === undefined) continue; // e.g. protocol: TCP defaulted by the server
    if (!sameJson(have, key[k])) return false;
    matched++;
  }
  return matched > 0;
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

function listCovered(items: unknown[], owned: FieldSet): boolean {
  const keys = Object.keys(owned);
  if (keys.length === 0) return true; // an atomic list: owned as a whole
  for (const item of items) {
    if (isObject(item)) {
      let entry: string | undefined;
      for (const k of keys) {
        const key = keyOf(k);
        if (key !== null && matchesKey(item, key)) {
          entry = k;
          break;
        }
      }
      if (entry === undefined) return false;
      if (!valueCovered(item, owned[entry])) return false;
    } else if (!keys.includes(`v:${JSON.stringify(item)}`)) {
      return false;
    }
  }
  return true;
}

function valueCovered(value: unknown, owned: unknown): boolean {
  if (!isObject(owned)) return false;
  if (Array.isArray(value)) return listCovered(value, owned);
  if (isObject(value)) return !hasKeys(owned) || mapCovered(value, owned, undefined);
  return true;
}

/** Every field of `desired` but the `skip` ones is in `owned`. */
function mapCovered(desired: Record<string, unknown>, owned: FieldSet, skip: ReadonlySet<string> | undefined): boolean {
  for (const k of Object.keys(desired)) {
    const v = desired[k];
    if (v === undefined || v === null) continue;
    if (skip?.has(k)) continue;
    const field = `f:${k}`;
    if (!(field in owned)) return false;
    if (!valueCovered(v, owned[field])) return false;
  }
  return true;
}

/** metadata: only its tracked fields count; none (or only untracked ones) is covered whatever we own. */
function metadataCovered(meta: Record<string, unknown>, owned: unknown): boolean {
  let tracked = false;
  for (const k of Object.keys(meta)) {
    if (!untrackedMetadata.has(k)) {
      tracked = true;
      break;
    }
  }
  if (!tracked) return true;
  if (!isObject(owned)) return false;
  return !hasKeys(owned) || mapCovered(meta, owned, untrackedMetadata);
}

function topLevelCovered(desired: Record<string, unknown>, owned: FieldSet): boolean {
  for (const k of Object.keys(desired)) {
    const v = desired[k];
    if (v === undefined || v === null || untrackedTopLevel.has(k)) continue;
    if (k === 'metadata' && isObject(v)) {
      if (!metadataCovered(v, owned['f:metadata'])) return false;
      continue;
    }
    const field = `f:${k}`;
    if (!(field in owned)) return false;
    if (!valueCovered(v, owned[field])) return false;
  }
  return true;
}

/** True when `fieldsV1` (one managedFields entry) covers every field set in `desired`. */
export function ownsAllFields(desired: Json | Record<string, unknown>, fieldsV1: unknown): boolean {
  if (!isObject(desired) || !isObject(fieldsV1)) return false;
  return topLevelCovered(desired, fieldsV1);
}
