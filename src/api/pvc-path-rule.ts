// spec.model.uri: a pvc:// path becomes the server's volume subPath, which Kubernetes refuses with a
// `.` or `..` segment; refusing it here keeps it from surfacing only when the Deployment is rendered.
import { celString, type CelRule } from './cel-rule.ts';

/** A pvc:// URI with a `.` or `..` path segment (`model..v2.pkl` is a plain file name). */
export const PVC_DOT_SEGMENT = /^pvc:\/\/.*\/\.\.?(\/.*)?$/;

export const pvcPathRule: CelRule<string> = {
  rule: `!self.matches(${celString(PVC_DOT_SEGMENT.source)})`,
  message: "a pvc:// path cannot have a '.' or '..' segment: the model must be inside the claim, e.g. pvc://models/fraud/7",
  check: (uri) => !PVC_DOT_SEGMENT.test(uri),
};
