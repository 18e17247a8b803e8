import { useHealth } from '../api/get-health';

/** Whether FlowLens and its database are up. */
export function HealthBadge() {
  const health = useHealth();
  if (health.isPending) return <span className="badge">checking…</span>;
  if (health.isError) return <span className="badge bad" title={health.error.message}>database down</span>;
  return <span className="badge ok">healthy</span>;
}
