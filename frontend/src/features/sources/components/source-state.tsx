import { Badge } from '@mantine/core';

const colors: Record<string, string> = {
  idle: 'gray',
  running: 'blue',
  pending: 'blue',
  failed: 'red',
  ingested: 'green',
  replaced: 'gray',
};

/** A source's or an object's state as a coloured badge. */
export function StateBadge({ state }: { state: string }) {
  return (
    <Badge variant="light" color={colors[state] ?? 'gray'}>
      {state}
    </Badge>
  );
}
