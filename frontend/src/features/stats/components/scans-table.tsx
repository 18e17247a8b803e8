import { Table, UnstyledButton } from '@mantine/core';
import { AddressLabel } from '@/components/ui/address-label';
import { QueryState } from '@/components/ui/states';
import { contextInstant, useAddressInfos } from '@/lib/address-context';
import { formatCount, formatTime } from '@/lib/format';
import { useScans } from '../api/get-scans';
import type { StatsQuery } from '../api/stats-query';

/** The sources that reached the most distinct destination ports (or hosts): likely scans. */
export function ScansTable({
  params,
  by = 'ports',
  onSelect,
}: {
  params: StatsQuery;
  by?: 'ports' | 'hosts';
  onSelect?: (srcaddr: string) => void;
}) {
  const scans = useScans({ ...params, by });
  // Where the scanners are (country, AS), or what they are when they are yours.
  const infos = useAddressInfos(scans.data?.items.map((i) => i.srcaddr) ?? [], contextInstant(params.range));
  return (
    <QueryState query={scans} isEmpty={(d) => d.items.length === 0}>
      {(data) => (
        <Table.ScrollContainer minWidth={640}>
          <Table highlightOnHover fz="sm" aria-label="Likely scans">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>srcaddr</Table.Th>
                <Table.Th ta="right">distinct ports</Table.Th>
                <Table.Th ta="right">distinct hosts</Table.Th>
                <Table.Th ta="right">flows</Table.Th>
                <Table.Th>first seen</Table.Th>
                <Table.Th>last seen</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((item) => (
                <Table.Tr key={item.srcaddr} data-key={item.srcaddr}>
                  <Table.Td ff="monospace">
                    <UnstyledButton
                      fz="sm"
                      ff="monospace"
                      onClick={() => onSelect?.(item.srcaddr)}
                      title="Show its flows"
                    >
                      <AddressLabel address={item.srcaddr} info={infos.get(item.srcaddr)} />
                    </UnstyledButton>
                  </Table.Td>
                  <Table.Td ta="right">{formatCount(item.ports)}</Table.Td>
                  <Table.Td ta="right">{formatCount(item.hosts)}</Table.Td>
                  <Table.Td ta="right">{formatCount(item.flows)}</Table.Td>
                  <Table.Td>{formatTime(item.firstSeen)}</Table.Td>
                  <Table.Td>{formatTime(item.lastSeen)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}
