import { Group, Paper, SimpleGrid, Table, Text, UnstyledButton } from '@mantine/core';
import { formatBytes, formatCount } from '@/lib/format';
import type { PacketsLost, TransitGatewayReport } from '../api/get-transit-gateway';

const lostTotal = (l: PacketsLost) => l.noRoute + l.blackhole + l.mtuExceeded + l.ttlExpired;

/** A value that narrows the view to it when clicked; `-` for none. */
function Pick({
  field,
  value,
  onSelect,
}: {
  field: string;
  value: string | null;
  onSelect: (field: string, value: string) => void;
}) {
  if (value === null) return <>-</>;
  return (
    <UnstyledButton fz="sm" ff="monospace" onClick={() => onSelect(field, value)} title={`Only ${field} = ${value}`}>
      {value}
    </UnstyledButton>
  );
}

/** A row's bytes, packets and records, then its packets lost by reason. */
function CountCells({ row }: { row: { bytes: number; packets: number; records: number; packetsLost: PacketsLost } }) {
  const lost = row.packetsLost;
  return (
    <>
      <Table.Td ta="right">{formatBytes(row.bytes)}</Table.Td>
      <Table.Td ta="right">{formatCount(row.packets)}</Table.Td>
      <Table.Td ta="right">{formatCount(row.records)}</Table.Td>
      <Table.Td ta="right">{formatCount(lost.noRoute)}</Table.Td>
      <Table.Td ta="right">{formatCount(lost.blackhole)}</Table.Td>
      <Table.Td ta="right">{formatCount(lost.mtuExceeded)}</Table.Td>
      <Table.Td ta="right">{formatCount(lost.ttlExpired)}</Table.Td>
    </>
  );
}

const countHeaders = (
  <>
    <Table.Th ta="right">bytes</Table.Th>
    <Table.Th ta="right">packets</Table.Th>
    <Table.Th ta="right">records</Table.Th>
    <Table.Th ta="right">lost: no route</Table.Th>
    <Table.Th ta="right">blackhole</Table.Th>
    <Table.Th ta="right">MTU exceeded</Table.Th>
    <Table.Th ta="right">TTL expired</Table.Th>
  </>
);

/** The totals, and the packets the gateway dropped by reason. */
export function TransitGatewayTotals({ report }: { report: TransitGatewayReport }) {
  const { totals } = report;
  const facts: [string, string][] = [
    ['Records', formatCount(totals.records)],
    ['Bytes', formatBytes(totals.bytes)],
    ['Packets', formatCount(totals.packets)],
    ['Packets lost', formatCount(lostTotal(totals.packetsLost))],
    ['No route', formatCount(totals.packetsLost.noRoute)],
    ['Blackhole route', formatCount(totals.packetsLost.blackhole)],
    ['MTU exceeded', formatCount(totals.packetsLost.mtuExceeded)],
    ['TTL expired', formatCount(totals.packetsLost.ttlExpired)],
  ];
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }}>
      {facts.map(([label, value]) => (
        <Paper key={label} withBorder p="sm" radius="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            {label}
          </Text>
          <Text fz={22} fw={700} aria-label={label}>
            {value}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** Traffic per attachment and its pair, as recorded on the attachment (ingress or egress). */
export function AttachmentTable({
  report,
  onSelect,
}: {
  report: TransitGatewayReport;
  onSelect: (field: string, value: string) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover fz="sm" aria-label="Attachments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>tgw-attachment-id</Table.Th>
            <Table.Th>tgw-pair-attachment-id</Table.Th>
            <Table.Th>flow-direction</Table.Th>
            {countHeaders}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.attachments.map((a) => (
            <Table.Tr key={`${a.tgwId}|${a.attachmentId}|${a.pairAttachmentId}|${a.flowDirection}`}>
              <Table.Td ff="monospace">
                <Pick field="tgw-attachment-id" value={a.attachmentId} onSelect={onSelect} />
              </Table.Td>
              <Table.Td ff="monospace">
                <Pick field="tgw-pair-attachment-id" value={a.pairAttachmentId} onSelect={onSelect} />
              </Table.Td>
              <Table.Td>{a.flowDirection ?? '-'}</Table.Td>
              <CountCells row={a} />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Traffic from VPC to VPC through the gateway (accounts beside, for shared gateways). */
export function VpcTable({
  report,
  onSelect,
}: {
  report: TransitGatewayReport;
  onSelect: (field: string, value: string) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover fz="sm" aria-label="VPC pairs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>tgw-src-vpc-id</Table.Th>
            <Table.Th>tgw-dst-vpc-id</Table.Th>
            {countHeaders}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.vpcs.map((v) => (
            <Table.Tr key={`${v.srcVpcId}|${v.dstVpcId}|${v.srcVpcAccountId}|${v.dstVpcAccountId}`}>
              <Table.Td ff="monospace">
                <Group gap={6} wrap="nowrap">
                  <Pick field="tgw-src-vpc-id" value={v.srcVpcId} onSelect={onSelect} />
                  {v.srcVpcAccountId && (
                    <Text size="xs" c="dimmed">
                      {v.srcVpcAccountId}
                    </Text>
                  )}
                </Group>
              </Table.Td>
              <Table.Td ff="monospace">
                <Group gap={6} wrap="nowrap">
                  <Pick field="tgw-dst-vpc-id" value={v.dstVpcId} onSelect={onSelect} />
                  {v.dstVpcAccountId && (
                    <Text size="xs" c="dimmed">
                      {v.dstVpcAccountId}
                    </Text>
                  )}
                </Group>
              </Table.Td>
              <CountCells row={v} />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
