// How Kubernetes' Pod validation classes a container resource name, in TypeScript and as CEL snippets
// over a map key `k`: which names exist, which may be overcommitted (request below limit), which are
// extended resources counted in whole units (nvidia.com/gpu).

/** Names Kubernetes knows without a domain; hugepages-<size> besides. */
export const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;
export const HUGEPAGES_PREFIX = 'hugepages-';
// Kubernetes checks an extended resource's quota name `requests.<name>` too, so its domain gets 9 fewer
// characters than a qualified name's 253.
const REQUESTS_PREFIX = 'requests.';
const MAX_EXTENDED_DOMAIN = 253 - REQUESTS_PREFIX.length;
const MAX_NAME_PART = 63;

// Native: no domain, or a kubernetes.io one; everything else with a domain is extended.
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

export function isHugepages(name: string): boolean {
  return name.startsWith(HUGEPAGES_PREFIX);
}

export function isExtendedResource(name: string): boolean {
  return !isNative(name) && !name.startsWith(REQUESTS_PREFIX);
}

/** Whether a request may be below its limit: true for cpu, memory, ephemeral-storage. */
export function allowsOvercommit(name: string): boolean {
  return isNative(name) && !isHugepages(name);
}

/** Whether the Pod API takes this as a container resource name. */
export function isContainerResourceName(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) {
    return (STANDARD_CONTAINER_RESOURCES as readonly string[]).includes(name) || (isHugepages(name) && name.length <= MAX_NAME_PART);
  }
  if (name.length - slash - 1 > MAX_NAME_PART) return false;
  return isNative(name) || (!name.startsWith(REQUESTS_PREFIX) && slash <= MAX_EXTENDED_DOMAIN);
}

// The same predicates in CEL, over a string `k`.
const nativeCel = "(!k.contains('/') || k.contains('kubernetes.io/'))";
export const isHugepagesCel = `k.startsWith('${HUGEPAGES_PREFIX}')`;
export const isExtendedResourceCel = `(!${nativeCel} && !k.startsWith('${REQUESTS_PREFIX}'))`;
export const allowsOvercommitCel = `(${nativeCel} && !${isHugepagesCel})`;
export const isContainerResourceNameCel =
  `(!k.contains('/') ? (k in [${STANDARD_CONTAINER_RESOURCES.map((r) => `'${r}'`).join(', ')}] || (${isHugepagesCel} && size(k) <= ${MAX_NAME_PART})) : ` +
  `(size(k) - k.indexOf('/') - 1 <= ${MAX_NAME_PART} && (k.contains('kubernetes.io/') || (!k.startsWith('${REQUESTS_PREFIX}') && k.indexOf('/') <= ${MAX_EXTENDED_DOMAIN}))))`;
