import { Badge } from '@mantine/core';
import { useHealth } from '../api/get-health';

/** Whether FlowLens and its database are up. */
export function HealthBadge() {
  const health = useHealth();
  if (health.isPending)
    return (
      <Badge variant="light" color="gray">
        checking…
      </Badge>
    );
  if (health.isError) {
    return (
      <Badge variant="light" color="red" title={health.error.message}>
        database down
      </Badge>
    );
  }
  return (
    <Badge variant="light" color="green">
      healthy
    </Badge>
  );
}
