// I/O: undici's connector with the address policy applied where the address is known: an IP literal
// before connecting, a name on the addresses DNS gave (the lookup the socket itself uses, so what is
// checked is what is connected to; no second lookup can answer differently).
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.ts';
import { OutboundError } from './outbound-error.ts';

export interface ConnectorOptions {
  readonly policy: AddressPolicy;
  readonly connectTimeoutMs: number;
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((a) => policy(a.address));
      const first = allowed[0];
      if (first === undefined) return callback(new OutboundError({ kind: 'address-refused', address: addresses[0]?.address ?? hostname }), []);
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

export function guardedConnector(options: ConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    rejectUnauthorized: options.rejectUnauthorized,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    lookup: guardedLookup(options.policy),
  });
  return (opts, callback) => {
    const literal = opts.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal) !== 0 && !options.policy(literal)) {
      callback(new OutboundError({ kind: 'address-refused', address: literal }), null);
      return;
    }
    connect(opts, callback);
  };
}
