// Every array and object of a tree: to check that a copy shares none with what it was made from.
export function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value !== 'object' || value === null) return into;
  into.add(value);
  for (const v of Object.values(value)) objectsIn(v, into);
  return into;
}
