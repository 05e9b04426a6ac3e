// promtool from the test tools (built with Prometheus from test/cluster/go/prometheus), and the chart's
// alert rules as promtool's unit tests expect them: an alert's labels and its annotations filled in.
import { runTool } from './run-tool.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export async function promtool(tools: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  const r = await runTool(tools, 'promtool', [...args]);
  return { code: r.code, output: r.stdout + r.stderr };
}

/**
 * An alert as `promtool test rules` reports it: the series' labels and the rule's, its annotations with
 * {{ $labels.x }} and {{ $value | fn }} filled in (value: the formatted number promtool prints).
 */
export function expectedAlert(
  rule: AlertRule,
  labels: Readonly<Record<string, string>>,
  value = '',
): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> } {
  const fill = (text: string) =>
    text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_all, name: string) => labels[name] ?? '').replace(/\{\{ \$value(?: \| \w+)? \}\}/g, value);
  return {
    exp_labels: { ...labels, ...rule.labels },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)])),
  };
}
