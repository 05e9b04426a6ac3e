// HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Go's net/http ProxyFromEnvironment reads them for client-go:
// the upper-case name wins, a proxy without a scheme is http://, localhost and loopback addresses are
// never proxied, and NO_PROXY lists hosts, domains (with their subdomains), IPs and CIDRs, each
// optionally with a port, or "*" for everything.
import { BlockList, isIP } from 'node:net';

type Env = Readonly<Record<string, string | undefined>>;

function getEnv(env: Env, upper: string): string | undefined {
  return env[upper] || env[upper.toLowerCase()] || undefined;
}

/** The proxy URL for requests to `target`, or undefined to connect directly. */
export function proxyFromEnvironment(target: string | URL, env: Env): string | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = url.protocol === 'https:' ? getEnv(env, 'HTTPS_PROXY') : url.protocol === 'http:' ? getEnv(env, 'HTTP_PROXY') : undefined;
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (!useProxy(host, port, getEnv(env, 'NO_PROXY') ?? '')) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Whether a request to host:port goes through the proxy, given NO_PROXY. */
export function useProxy(host: string, port: string, noProxy: string): boolean {
  if (isLoopback(host)) return false;
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return false;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return false;
      continue;
    }
    const { name, entryPort } = splitPort(entry);
    if (entryPort && entryPort !== port) continue;
    if (isIP(name)) {
      if (name === host) return false;
      continue;
    }
    // "example.com" and "*.example.com"/".example.com": Go matches the name and its subdomains for
    // the first, subdomains only for the others.
    if (name.startsWith('*.') || name.startsWith('.')) {
      const suffix = name.slice(name.indexOf('.'));
      if (host.endsWith(suffix)) return false;
    } else if (host === name || host.endsWith(`.${name}`)) return false;
  }
  return true;
}

function splitPort(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? '', entryPort: bracketed[2] };
  if (isIP(entry) === 6) return { name: entry, entryPort: undefined };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { name: m[1] ?? '', entryPort: m[2] } : { name: entry, entryPort: undefined };
}

function inCidr(host: string, cidr: string): boolean {
  const family = isIP(host);
  const [net, bits] = cidr.split('/');
  if (!family || !net || bits === undefined || isIP(net) !== family) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
