// What the platform team decides about the VirtualServices modelship writes (operator flags
// --istio-allowed-hosts, --istio-allowed-gateways, --istio-export-to): a VirtualService routes every
// caller of its hosts, so hosts and gateways beyond the ModelDeployment's own namespace are the
// platform's to grant.
export interface IstioPolicy {
  /** Host patterns beyond the namespace's own Services: `fraud.example.com`, `*.models.example.com`, or `*` for any. */
  readonly allowedHosts: readonly string[];
  /** Gateways of other namespaces: `namespace/name`, or `namespace/*` for all of a namespace. */
  readonly allowedGateways: readonly string[];
  /** The VirtualService's exportTo: `.` (its own namespace), `*` (every namespace) or namespace names. */
  readonly exportTo: readonly string[];
}

/** Nothing beyond the namespace's own Services and Gateways; seen by its own namespace only. */
export const DEFAULT_ISTIO_POLICY: IstioPolicy = { allowedHosts: [], allowedGateways: [], exportTo: ['.'] };
