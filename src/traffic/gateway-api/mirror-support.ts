// PURE: did the cluster keep the mirror percentage modelship asked for? Gateway API CRDs older than
// v1.3 have no RequestMirror `percent`; the API server then prunes it silently and the gateway
// mirrors every request. The live route (the apply's answer) tells.
import type { KubeObject } from '../../kube/api-client.ts';
import type { MirrorVerdict } from '../provider.ts';

type Route = KubeObject & { spec?: { rules?: { filters?: { type?: string; requestMirror?: { percent?: number } }[] }[] } };

function mirrorPercents(route: Route | undefined): (number | undefined)[] {
  return (route?.spec?.rules ?? []).flatMap((r) => (r.filters ?? []).filter((f) => f.type === 'RequestMirror').map((f) => f.requestMirror?.percent));
}

/** Undefined when no RequestMirror was asked for. */
export function mirrorSupport(desired: Route | undefined, live: Route | undefined): MirrorVerdict | undefined {
  const wanted = mirrorPercents(desired).find((p) => p !== undefined);
  if (wanted === undefined || !live) return undefined;
  const kept = mirrorPercents(live).find((p) => p !== undefined);
  return kept === wanted
    ? { status: 'True', reason: 'MirrorApplied', message: `${wanted}% of requests are mirrored to the canary` }
    : {
        status: 'False',
        reason: 'MirrorPercentUnsupported',
        message: `the installed Gateway API CRDs dropped RequestMirror percent (it needs v1.3 or later): the gateway mirrors every request to the canary, not ${wanted}%; upgrade the Gateway API CRDs`,
      };
}
