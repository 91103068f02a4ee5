/**
 * The right-sizing part of the cost section: per container, request → recommended (peak usage), and
 * what the "right-sizing" figure means next to idle. Kept apart from view.ts so the cost section's
 * wording lives in one place.
 */
import type { CostReport } from '../schema/cost.js';
import { formatMoney, refLabel, refPath } from './format.js';

type RightSizingResource = NonNullable<CostReport['rightSizing']>['containers'][number]['cpu'];

export interface RightSizingView {
  computed: boolean;
  /** Total right-sizing savings, or why there is none. */
  headline: string;
  method: string;
  reason: string | null;
  confidence: string;
  rows: Array<{ workload: string; container: string; pods: number; cpu: string; memory: string; savings: string; confidence: string }>;
}

const ACTION_TEXT: Record<RightSizingResource['action'], string> = {
  lower: 'lower',
  raise: 'raise: usage with headroom is above the request',
  keep: 'keep: within the margin',
  set: 'set a request',
  'hpa-scaled': 'left as is: an HPA scales on it',
};

function resourceCell(r: RightSizingResource): string {
  if (r.action === 'hpa-scaled') return `${r.request} (used ${r.usage}; ${ACTION_TEXT[r.action]})`;
  return `${r.request} → ${r.recommended} (used ${r.usage}; ${ACTION_TEXT[r.action]})`;
}

/** The "Right-sizing" cell next to Allocated and Idle. */
export function rightSizingCell(cost: CostReport): string {
  const rs = cost.rightSizing;
  if (!rs || rs.status === 'computed') return formatMoney(cost.wasteMonthly);
  // Without metrics only oversized requests (above half a node) can be flagged; say that the figure is partial.
  return cost.wasteMonthly > 0
    ? `${formatMoney(cost.wasteMonthly)} (requests above half a node only; usage-based right-sizing not computed: no usage metrics)`
    : 'not computed: no usage metrics';
}

export function rightSizingView(cost: CostReport): RightSizingView | null {
  const rs = cost.rightSizing;
  if (!rs) return null;
  const rows = rs.containers.map((c) => ({
    workload: refLabel(c),
    container: c.container,
    pods: c.pods,
    cpu: resourceCell(c.cpu),
    memory: resourceCell(c.memory),
    savings: formatMoney(c.monthlySavings),
    confidence: c.confidence,
  }));
  return {
    computed: rs.status === 'computed',
    headline:
      rs.status === 'computed'
        ? `${formatMoney(rs.monthlySavings)} per month from lowering requests (confidence: ${rs.confidence})`
        : 'not computed',
    method: rs.method,
    reason: rs.reason ?? null,
    confidence: rs.confidence,
    rows,
  };
}

/** Waste items the right-sizing table already shows (a usage-based "lower"), so they are not listed twice. */
export function coveredByRightSizing(cost: CostReport): (item: CostReport['waste'][number]) => boolean {
  const covered = new Set<string>();
  for (const c of cost.rightSizing?.containers ?? []) {
    for (const resource of ['cpu', 'memory'] as const) {
      if (c[resource].action === 'lower') covered.add(`${refPath(c)}\u0000${c.container}\u0000${resource}`);
    }
  }
  return (item) => covered.has(`${refPath(item)}\u0000${item.container ?? ''}\u0000${item.resource}`);
}
