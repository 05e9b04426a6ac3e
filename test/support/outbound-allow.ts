// What the tests' operators and clients allowlist of the addresses the outbound client refuses by
// default: the test Prometheus listens on 127.0.0.1 (test/cluster/prometheus.ts). Model-server pods
// have kwok's 10.x addresses and need nothing.
import { parseCidr, type Cidr } from '../../src/outbound/index.ts';

export const testPrometheusCidrs: readonly Cidr[] = [parseCidr('127.0.0.1/32')!];
