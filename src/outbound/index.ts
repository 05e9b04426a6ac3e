export { addressPolicy, parseCidr, type AddressPolicy, type Cidr } from './address-policy.ts';
export { unsafeHeader } from './header-values.ts';
export { describeOutboundFailure, formatBytes, OutboundError, toOutboundError, type OutboundFailure } from './outbound-error.ts';
export { createOutboundClient, type OutboundClient, type OutboundClientOptions, type OutboundRequest, type OutboundResponse } from './outbound-client.ts';
