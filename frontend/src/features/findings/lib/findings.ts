import type { FindingsFilter } from '../api/findings';

export const statuses = ['open', 'acknowledged', 'resolved', 'muted'] as const;
export const severities = ['critical', 'high', 'medium', 'low'] as const;

/** What the list shows when the URL says nothing: what still needs someone. */
export const defaultStatuses = 'open,acknowledged';

/** The list's filters from its URL; `status=` (empty) means every status. */
export function filterOfParams(params: URLSearchParams): FindingsFilter {
  return {
    status: params.get('status') ?? defaultStatuses,
    severity: params.get('severity') ?? '',
    ruleId: params.get('rule') ?? '',
    key: params.get('key') ?? '',
    cursor: params.get('cursor') ?? '',
  };
}

export const severityColor = (severity: string) =>
  ({ critical: 'red', high: 'orange', medium: 'yellow', low: 'blue' })[severity] ?? 'gray';

export const statusColor = (status: string) =>
  ({ open: 'red', acknowledged: 'yellow', resolved: 'green', muted: 'gray' })[status] ?? 'gray';

export type Triage = 'acknowledge' | 'resolve' | 'reopen' | 'mute';

/** The triage buttons a finding in this status offers: no button sets the status it has. */
export function triageFor(status: string): Triage[] {
  switch (status) {
    case 'open':
      return ['acknowledge', 'resolve', 'mute'];
    case 'acknowledged':
      return ['resolve', 'reopen', 'mute'];
    case 'muted':
      return ['reopen', 'resolve'];
    default:
      return ['reopen'];
  }
}

/** The PATCH a triage button sends; muting lasts 24 hours from now. */
export function patchOf(triage: Triage, now = Date.now()): { status: string; mutedUntil?: string } {
  switch (triage) {
    case 'acknowledge':
      return { status: 'acknowledged' };
    case 'resolve':
      return { status: 'resolved' };
    case 'reopen':
      return { status: 'open' };
    case 'mute':
      return { status: 'muted', mutedUntil: new Date(now + 24 * 3_600_000).toISOString() };
  }
}

const detailLabels: Record<string, string> = {
  ports: 'Distinct ports',
  hosts: 'Distinct hosts',
  connections: 'Connections',
  flows: 'Flows',
  rejectedFlows: 'Rejected flows',
  portSample: 'Ports (sample)',
  hostSample: 'Hosts (sample)',
  metric: 'Metric',
  value: 'Value',
  threshold: 'Threshold',
};

/** A finding's details (what its last window showed) as labelled lines, known fields first in a fixed order. */
export function detailLines(details: unknown): [string, string][] {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return [];
  const entries = Object.entries(details as Record<string, unknown>);
  const order = Object.keys(detailLabels);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return entries
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([name, value]) => [
      detailLabels[name] ?? name,
      Array.isArray(value)
        ? value.join(', ')
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value),
    ]);
}
