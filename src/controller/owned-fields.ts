// PURE: does the operator still own every field it wants to set? Server-side apply records, per
// field manager, the fields it owns (metadata.managedFields, "FieldsV1"). When someone else
// changes one of our fields (kubectl edit, scale, another apply with force), ownership moves to
// them, so a desired field missing from our set means drift, and only then is an apply needed.
// Works without schemas: associative list items are matched through their `k:{...}` keys.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type FieldSet = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields the API server never tracks in managedFields. */
const untrackedTopLevel = new Set(['apiVersion', 'kind', 'status']);
const untrackedMetadata = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']);

function matchesKey(item: Record<string, unknown>, keyJson: string): boolean {
  let key: unknown;
  try {
    key = JSON.parse(keyJson);
  } catch {
    return false;
  }
  if (!isObject(key)) return false;
  let matched = 0;
  for (const [k, v] of Object.entries(key)) {
    if (item[k] === undefined) continue; // e.g. protocol: TCP defaulted by the server
    if (JSON.stringify(item[k]) !== JSON.stringify(v)) return false;
    matched++;
  }
  return matched > 0;
}

function listCovered(items: unknown[], owned: FieldSet): boolean {
  const keys = Object.keys(owned);
  if (keys.length === 0) return true; // an atomic list: owned as a whole
  for (const item of items) {
    if (isObject(item)) {
      const entry = keys.find((k) => k.startsWith('k:') && matchesKey(item, k.slice(2)));
      if (!entry) return false;
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
  if (isObject(value)) return Object.keys(owned).length === 0 || mapCovered(value, owned, false);
  return true;
}

function mapCovered(desired: Record<string, unknown>, owned: FieldSet, topLevel: boolean): boolean {
  for (const [k, v] of Object.entries(desired)) {
    if (v === undefined || v === null) continue;
    if (topLevel && untrackedTopLevel.has(k)) continue;
    if (topLevel && k === 'metadata' && isObject(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !untrackedMetadata.has(mk)));
      if (Object.keys(meta).length === 0) continue;
      if (!valueCovered(meta, owned['f:metadata'])) return false;
      continue;
    }
    if (!(`f:${k}` in owned)) return false;
    if (!valueCovered(v, owned[`f:${k}`])) return false;
  }
  return true;
}

/** True when `fieldsV1` (one managedFields entry) covers every field set in `desired`. */
export function ownsAllFields(desired: Json | Record<string, unknown>, fieldsV1: unknown): boolean {
  if (!isObject(desired) || !isObject(fieldsV1)) return false;
  return mapCovered(desired, fieldsV1, true);
}
