// Why a ModelDeployment cannot be rendered. The CRD rejects most of these at the API server; the
// renderer checks again for objects created under an older CRD or passed in unvalidated.
export type RenderErrorCode =
  | 'InvalidName'
  | 'InvalidLabelValue'
  | 'InvalidSpec'
  | 'UnsupportedFormat'
  | 'MissingImage'
  | 'PortConflict'
  | 'InvalidModelUri'
  | 'UncheckableChecksum'
  | 'MissingGateway'
  | 'HostNotAllowed'
  | 'GatewayNotAllowed';

export interface RenderError {
  /** CamelCase: the Stalled reason and its Event (listed in api/reasons.ts). */
  code: RenderErrorCode;
  /** The field to change, e.g. `spec.model.format`. */
  field: string;
  /** A sentence that names the field and says what to do. */
  message: string;
}

export function renderError(code: RenderErrorCode, field: string, detail: string): RenderError {
  return { code, field, message: `${field}: ${detail}` };
}
