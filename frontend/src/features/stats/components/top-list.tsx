import { useState } from 'react';
import { Box, Button, Group, Table, Text, UnstyledButton } from '@mantine/core';
import { KeyLabel } from '@/components/ui/address-label';
import { QueryState } from '@/components/ui/states';
import { addressesOfKey, contextInstant, useAddressInfos } from '@/lib/address-context';
import { formatBytes, formatCount } from '@/lib/format';
import { useShowValue } from '@/lib/labels';
import { useTop, type Metric } from '../api/get-top';
import type { StatsQuery } from '../api/stats-query';

interface TopListProps {
  params: StatsQuery;
  /** The field to rank, by its AWS name. */
  by: string;
  metric?: Metric;
  limit?: number;
  /** A click on a row: its value (never the no-value key `-`). */
  onSelect?: (key: string) => void;
}

/**
 * The values of a field with the most bytes (or flows), with a bar for each one's share. Over whole hours the API
 * answers from bounded summaries: then the figures are marked ≈ (each at most `maxError` below the true one) and
 * the exact answer, from the raw flows, is one click away.
 */
export function TopList({ params, by, metric = 'bytes', limit = 10, onSelect }: TopListProps) {
  // The exact answer is asked for these parameters only: a new range or filter starts from the fast one again.
  const asked = JSON.stringify([params.range.from, params.range.to, params.q, by, metric, limit]);
  const [exactFor, setExactFor] = useState<string | null>(null);
  const query = useTop({ ...params, by, metric, limit, exact: exactFor === asked });
  const showValue = useShowValue();
  // Names next to addresses (srcaddr, dstaddr, pair), as they were at the end of the range.
  const infos = useAddressInfos(
    (query.data?.items ?? []).flatMap((i) => addressesOfKey(by, i.key)),
    contextInstant(params.range),
  );
  // `-` is the API's key for records without the field.
  const showKey = (key: string) =>
    key === '-' ? '- (no value)' : <KeyLabel by={by} value={key} shown={showValue(by, key)} infos={infos} />;
  const show = metric === 'bytes' ? formatBytes : formatCount;
  // The second figure: flows beside bytes or packets, bytes beside flows.
  const other = metric === 'flows' ? 'bytes' : 'flows';
  const showOther = other === 'bytes' ? formatBytes : formatCount;
  return (
    <QueryState query={query} isEmpty={(d) => d.items.length === 0}>
      {(data) => {
        const max = Math.max(1, ...data.items.map((i) => i[metric]));
        const about = data.approximate ? '≈ ' : '';
        return (
          <>
            {data.approximate && (
              <Group gap="xs" mb={4} role="note" aria-label="Approximate figures">
                <Text fz="xs" c="dimmed">
                  ≈ from summaries: each {metric} figure may be up to {show(data.maxError)} below the true one.
                </Text>
                <Button size="compact-xs" variant="light" onClick={() => setExactFor(asked)}>
                  Exact answer
                </Button>
              </Group>
            )}
            <Table highlightOnHover verticalSpacing={4} fz="sm" aria-label={`Top ${by}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{by}</Table.Th>
                  <Table.Th ta="right">{metric}</Table.Th>
                  <Table.Th ta="right">{other}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((item) => (
                  <Table.Tr key={item.key} data-key={item.key}>
                    <Table.Td style={{ position: 'relative' }}>
                      <Box
                        aria-hidden
                        style={{
                          position: 'absolute',
                          inset: '2px auto 2px 0',
                          width: `${(item[metric] / max) * 100}%`,
                          opacity: 0.15,
                          pointerEvents: 'none',
                        }}
                        bg="blue"
                      />
                      {onSelect && item.key !== '-' ? (
                        <UnstyledButton
                          fz="sm"
                          ff="monospace"
                          onClick={() => onSelect(item.key)}
                          title={`Add ${by} = ${item.key} to the filter`}
                        >
                          {showKey(item.key)}
                        </UnstyledButton>
                      ) : (
                        <Text fz="sm" ff="monospace">
                          {showKey(item.key)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      {about}
                      {show(item[metric])}
                    </Table.Td>
                    <Table.Td ta="right">
                      {about}
                      {showOther(item[other])}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        );
      }}
    </QueryState>
  );
}
