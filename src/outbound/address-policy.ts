// PURE: which addresses an outbound request may connect to. Loopback, link-local (cloud metadata at
// 169.254.169.254 included) and unspecified addresses reach the operator's own pod, node or cloud
// account, not a service a ModelDeployment should talk to: refused unless the platform allowlists them
// (--outbound-allow-cidrs). Checked on the resolved address, so a DNS name pointing there is refused too.
import { BlockList, isIP } from 'node:net';

const REFUSED: readonly string[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '::/128', '::1/128', 'fe80::/10'];

export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** `10.0.0.0/8`, `::1/128` or a bare address (a /32 or /128); undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  return prefix <= max ? { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : undefined;
}

function blockList(cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) list.addSubnet(c.address, c.prefix, c.family);
  return list;
}

const refused = blockList(REFUSED.map((c) => parseCidr(c)!));

/** Whether `ip` may be connected to; BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export type AddressPolicy = (ip: string) => boolean;

export function addressPolicy(allow: readonly Cidr[]): AddressPolicy {
  const allowed = blockList(allow);
  return (ip) => {
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    return !refused.check(ip, family) || allowed.check(ip, family);
  };
}
