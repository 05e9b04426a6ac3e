// Fields later releases define: monitoring. Kept as-is until then, so manifests written for a newer
// operator are not rejected by an older CRD.
import { reservedObject } from './common.ts';

export const monitoringSpecSchema = reservedObject('Metrics, drift detection and retraining triggers; reserved.');
