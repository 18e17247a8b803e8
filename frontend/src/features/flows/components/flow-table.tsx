import { Box, Center, Loader, ScrollArea, Table, Text } from '@mantine/core';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorState } from '@/components/ui/states';
import { fieldByName, showValue, type FlowField } from '@/lib/flow-fields';
import type { FlowItem } from '@/types/api';
import { useFlows, type FlowsQuery } from '../api/get-flows';
import { FlowDrawer } from './flow-drawer';

/** Flows matching the query with the chosen columns; scrolling to the end loads the next page. */
export function FlowTable({ params, columns }: { params: FlowsQuery; columns: string[] }) {
  const flows = useFlows(params);
  const [selected, setSelected] = useState<FlowItem | null>(null);
  const end = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = flows;
  const columnList = columns.join(',');
  const shown = useMemo(() => columnList.split(',').map((name) => fieldByName.get(name)).filter((f) => f !== undefined), [columnList]);

  useEffect(() => {
    const element = end.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (flows.isPending) {
    return (
      <Center mih={200}>
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  }
  if (flows.isError) return <ErrorState error={flows.error} />;
  const items = flows.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <Center mih={120}>
        <Text c="dimmed" size="sm">
          No flows in this time range for this filter.
        </Text>
      </Center>
    );
  }

  return (
    <>
      <ScrollArea h={560} type="auto">
        <Table stickyHeader highlightOnHover fz="xs" ff="monospace" aria-label="Flows" style={{ whiteSpace: 'nowrap' }}>
          <Table.Thead>
            <Table.Tr>
              {shown.map((f) => (
                <Table.Th key={f.name}>{f.name}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <FlowRow key={`${item.objectId}:${item.line}`} item={item} fields={shown} onSelect={setSelected} />
            ))}
          </Table.Tbody>
        </Table>
        <Box ref={end} h={24}>
          {isFetchingNextPage && <Loader size="xs" aria-label="Loading more" />}
        </Box>
      </ScrollArea>
      <Text size="xs" c="dimmed" mt={4} aria-live="polite">
        {items.length.toLocaleString('en')} flows shown{hasNextPage ? ', scroll for more' : ', all of them'}
      </Text>
      <FlowDrawer flow={selected} onClose={() => setSelected(null)} />
    </>
  );
}

// Rows already shown do not render again when the next page arrives.
const FlowRow = memo(function FlowRow({ item, fields, onSelect }: { item: FlowItem; fields: FlowField[]; onSelect: (item: FlowItem) => void }) {
  return (
    <Table.Tr
      tabIndex={0}
      style={{ cursor: 'pointer' }}
      c={item.action === 'REJECT' ? 'red' : undefined}
      onClick={() => onSelect(item)}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(item)}
    >
      {fields.map((f) => (
        <Table.Td key={f.name}>{showValue(f, item)}</Table.Td>
      ))}
    </Table.Tr>
  );
});
