// What a cold build of the test tools will cost, said to the user before and while it runs: the modules'
// measured cold times (tool-modules.ts), less what has already been spent. Pure, so it is unit-tested.
import type { ToolModule } from './tool-modules.ts';

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? `${m} min` : `${m} min ${String(rest).padStart(2, '0')} s`;
}

/** The line printed before building `pending`: which modules, and how long a cold build of them takes. */
export function buildPlanLine(pending: readonly ToolModule[]): string {
  const total = pending.reduce((sum, m) => sum + m.coldBuildSeconds, 0);
  const names = pending.map((m) => m.name).join(', ');
  return `building ${names} from their Go modules, once (cached in the modelship cache): about ${formatDuration(total)} on 2 cores when cold`;
}

/**
 * Expected time left while `current` (index into `pending`) has run for `elapsedSeconds`: its own estimate
 * less the time spent (never below zero) plus every module after it.
 */
export function remainingSeconds(pending: readonly ToolModule[], current: number, elapsedSeconds: number): number {
  const own = Math.max(0, (pending[current]?.coldBuildSeconds ?? 0) - elapsedSeconds);
  return own + pending.slice(current + 1).reduce((sum, m) => sum + m.coldBuildSeconds, 0);
}

export function remainingLine(pending: readonly ToolModule[], current: number, elapsedSeconds: number): string {
  const mod = pending[current];
  const after = remainingSeconds(pending, current + 1 < pending.length ? current + 1 : pending.length, 0);
  if (mod && elapsedSeconds > mod.coldBuildSeconds) {
    const then = after > 0 ? `; about ${formatDuration(after)} for the rest after it` : '';
    return `${mod.name} is taking longer than its measured ${formatDuration(mod.coldBuildSeconds)} (a busy machine?)${then}`;
  }
  return `about ${formatDuration(remainingSeconds(pending, current, elapsedSeconds))} left`;
}
