import { Badge, Group, Text } from '@mantine/core';
import { Link } from 'react-router';
import { QueryState } from '@/components/ui/states';
import { useFindingCounts } from '../api/findings';
import { severities, severityColor } from '../lib/findings';

/** Open findings by severity, each a link to the findings list at that severity; for the overview. */
export function FindingCountsCard() {
  const counts = useFindingCounts();
  return (
    <QueryState query={counts} minHeight={40}>
      {(c) => (
        <Group gap="sm" wrap="wrap">
          <Text size="sm" component={Link} to="/findings" fw={500}>
            {c.open === 0 ? 'No open findings' : `${c.open} open`}
          </Text>
          {severities
            .filter((s) => c[s] > 0)
            .map((s) => (
              <Badge
                key={s}
                component={Link}
                to={`/findings?status=open&severity=${s}`}
                color={severityColor(s)}
                variant="light"
                style={{ cursor: 'pointer' }}
              >
                {c[s]} {s}
              </Badge>
            ))}
          {c.acknowledged > 0 && (
            <Text size="sm" c="dimmed" component={Link} to="/findings?status=acknowledged">
              {c.acknowledged} acknowledged
            </Text>
          )}
        </Group>
      )}
    </QueryState>
  );
}
