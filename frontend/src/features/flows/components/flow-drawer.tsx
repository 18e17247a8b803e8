import { Drawer, Table, Title } from '@mantine/core';
import { useShowValue } from '@/lib/labels';
import type { FlowItem } from '@/types/api';
import { flowFields, showField } from '../lib/columns';
import { FlowContext } from './flow-context';

/** Every field of one flow record, with where it was read, and what FlowLens knows of its addresses. */
export function FlowDrawer({ flow, onClose }: { flow: FlowItem | null; onClose: () => void }) {
  const showValue = useShowValue();
  return (
    <Drawer opened={flow !== null} onClose={onClose} position="right" size="lg" title="Flow record">
      {flow && (
        <>
          <FlowContext flow={flow} />
          <Title order={4} mt="lg">
            Fields
          </Title>
          <Table fz="sm" aria-label="Flow record fields">
            <Table.Tbody>
              {flowFields
                .filter((f) => flow[f.key] !== null)
                .map((f) => (
                  <Table.Tr key={f.name}>
                    <Table.Th ff="monospace">{f.name}</Table.Th>
                    <Table.Td ff="monospace">{showField(f, flow, showValue)}</Table.Td>
                  </Table.Tr>
                ))}
              {Object.entries(flow.extras ?? {}).map(([name, value]) => (
                <Table.Tr key={`extra-${name}`}>
                  <Table.Th ff="monospace">{name}</Table.Th>
                  <Table.Td ff="monospace">{value ?? '-'}</Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th>read from</Table.Th>
                <Table.Td>
                  source {flow.sourceId}, object {flow.objectId}, line {flow.line}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </>
      )}
    </Drawer>
  );
}
