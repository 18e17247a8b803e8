import { Box, Group, Loader, Table, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { QueryState } from '@/components/ui/states';
import { useShowValue, type ShowValue } from '@/lib/labels';
import type { FlowItem } from '@/types/api';
import { useFlows, type FlowsQuery } from '../api/get-flows';
import { fieldByName, showField, type FlowField } from '../lib/columns';
import { FlowDrawer } from './flow-drawer';

/**
 * Flows matching the query with the chosen columns. Only the rows in view are in the page (a query may have
 * millions); nearing the end of what is loaded fetches the next page through the API's cursor.
 */
export function FlowTable({ params, columns }: { params: FlowsQuery; columns: string[] }) {
  const flows = useFlows(params);
  const showValue = useShowValue();
  const [selected, setSelected] = useState<FlowItem | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = flows;
  const columnList = columns.join(',');
  const shown = useMemo(
    () =>
      columnList
        .split(',')
        .map((name) => fieldByName.get(name))
        .filter((f) => f !== undefined),
    [columnList],
  );
  const items = useMemo(() => flows.data?.pages.flatMap((p) => p.items) ?? [], [flows.data]);
  // TanStack Virtual hands back new functions each render by design; this app does not use the React Compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const rows = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 29,
    overscan: 20,
  });
  const visible = rows.getVirtualItems();
  const lastVisible = visible.at(-1)?.index ?? 0;

  useEffect(() => {
    if (lastVisible >= items.length - 40 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastVisible, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const before = visible[0]?.start ?? 0;
  const after = rows.getTotalSize() - (visible.at(-1)?.end ?? 0);
  return (
    <QueryState
      query={flows}
      minHeight={200}
      isEmpty={() => items.length === 0}
      empty="No flows in this time range for this filter."
    >
      {() => (
        <>
          <Box ref={scroller} h={560} style={{ overflow: 'auto' }} tabIndex={-1}>
            <Table
              stickyHeader
              highlightOnHover
              fz="xs"
              ff="monospace"
              aria-label="Flows"
              aria-rowcount={items.length + 1}
              style={{ whiteSpace: 'nowrap' }}
            >
              <Table.Thead>
                <Table.Tr>
                  {shown.map((f) => (
                    <Table.Th key={f.name}>{f.name}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {before > 0 && <tr aria-hidden style={{ height: before }} />}
                {visible.map((row) => (
                  <FlowRow
                    key={row.key}
                    item={items[row.index]}
                    index={row.index}
                    fields={shown}
                    showValue={showValue}
                    onSelect={setSelected}
                  />
                ))}
                {after > 0 && <tr aria-hidden style={{ height: after }} />}
              </Table.Tbody>
            </Table>
          </Box>
          <Group gap="xs" mt={4}>
            <Text size="xs" c="dimmed" aria-live="polite">
              {items.length.toLocaleString('en')} flows loaded{hasNextPage ? ', scroll for more' : ', all of them'}
            </Text>
            {isFetchingNextPage && <Loader size="xs" aria-label="Loading more" />}
          </Group>
          <FlowDrawer flow={selected} onClose={() => setSelected(null)} />
        </>
      )}
    </QueryState>
  );
}

// Rows already shown do not render again when the next page arrives.
const FlowRow = memo(function FlowRow({
  item,
  index,
  fields,
  showValue,
  onSelect,
}: {
  item: FlowItem;
  index: number;
  fields: FlowField[];
  showValue: ShowValue;
  onSelect: (item: FlowItem) => void;
}) {
  return (
    <Table.Tr
      aria-rowindex={index + 2}
      tabIndex={0}
      style={{ cursor: 'pointer' }}
      c={item.action === 'REJECT' ? 'red' : undefined}
      onClick={() => onSelect(item)}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(item)}
    >
      {fields.map((f) => (
        <Table.Td key={f.name}>{showField(f, item, showValue)}</Table.Td>
      ))}
    </Table.Tr>
  );
});
