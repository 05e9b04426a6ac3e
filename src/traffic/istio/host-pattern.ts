// PURE: whether a host or a gateway is one the platform's allowlist names. Patterns are written by the
// platform team; the hosts come from a ModelDeployment, whose wildcards the CRD already refuses.

/** `*` matches any host, `*.example.com` any host under example.com (not example.com itself), others only themselves. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/** `namespace/name` matches itself, `namespace/*` every gateway of that namespace. */
export function gatewayMatches(pattern: string, namespace: string, name: string): boolean {
  const [ns, n] = pattern.split('/');
  return ns === namespace && (n === '*' || n === name);
}

/**
 * A Service of `namespace`: a short name (Istio reads it in the VirtualService's own namespace) or
 * `<service>.<namespace>.svc.cluster.local`. Not `<service>.<namespace>`: with a namespace named
 * like a top-level domain, that is somebody's public host.
 */
export function isNamespaceService(host: string, namespace: string | undefined): boolean {
  const [service, ...rest] = host.toLowerCase().split('.');
  if (service === undefined || service === '' || service === '*') return false;
  if (rest.length === 0) return true;
  return namespace !== undefined && rest.join('.') === `${namespace}.svc.cluster.local`;
}
