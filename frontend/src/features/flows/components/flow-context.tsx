import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { consoleUrl, type ConsoleResource } from '@/lib/aws-console';
import type { AddressInfo, FlowItem, InventoryContext } from '@/types/api';

type Row = [label: string, value: ReactNode];

/** An id, linked to its page in the AWS console when the region is known (a new tab, no referrer). */
export function ConsoleLink({ kind, id, region }: { kind: ConsoleResource; id: string; region: string | null }) {
  const href = consoleUrl(kind, id, region);
  if (!href)
    return (
      <Text span ff="monospace" fz="inherit">
        {id}
      </Text>
    );
  return (
    <Anchor
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      ff="monospace"
      fz="inherit"
      title="Open in the AWS console"
    >
      {id}
    </Anchor>
  );
}

/** "name (id)" with the id linked; just the id without a name. */
const named = (name: string | null, id: ReactNode): ReactNode =>
  name ? (
    <>
      {name} ({id})
    </>
  ) : (
    id
  );

/** The rows of an inventory context: the resource, its interface, VPC, subnet and security groups. */
export function inventoryRows(context: InventoryContext, flowRegion: string | null): Row[] {
  const region = context.region || flowRegion;
  const link = (kind: ConsoleResource, id: string) => <ConsoleLink kind={kind} id={id} region={region} />;
  const resourceId = context.resourceId ?? context.interfaceId;
  const resourceLink =
    context.kind === 'instance'
      ? link('instance', resourceId)
      : resourceId === context.interfaceId
        ? link('interface', resourceId)
        : resourceId;
  const rows: (Row | false)[] = [
    [
      'resource',
      <>
        {context.kind} {named(context.resourceName, resourceLink)}
      </>,
    ],
    !!context.resourceType && context.resourceType !== context.kind && ['type', context.resourceType],
    !!context.resourceState && ['state', context.resourceState],
    !!context.instanceId && context.instanceId !== resourceId && ['instance', link('instance', context.instanceId)],
    [
      'interface',
      <>
        {link('interface', context.interfaceId)}
        {context.interfaceType && ` ${context.interfaceType}`}
        {context.addressKind && ` (${context.addressKind} address)`}
      </>,
    ],
    !!context.description && ['description', context.description],
    !!context.vpcId && ['VPC', named(context.vpcName, link('vpc', context.vpcId))],
    !!context.subnetId && [
      'subnet',
      <>
        {named(context.subnetName, link('subnet', context.subnetId))}
        {context.availabilityZone && `, ${context.availabilityZone}`}
      </>,
    ],
    context.securityGroups.length > 0 && [
      'security groups',
      <Stack gap={0}>
        {context.securityGroups.map((group) => (
          <span key={group.id}>
            {link('security-group', group.id)}
            {[group.groupName, group.name && group.name !== group.groupName ? `“${group.name}”` : null]
              .filter(Boolean)
              .map((text) => ` ${text}`)
              .join('')}
          </span>
        ))}
      </Stack>,
    ],
    ['account', [context.accountId, region].filter(Boolean).join(', ') || '-'],
  ];
  return rows.filter((r): r is Row => r !== false);
}

/** The rows of what is known of an address: its resource, network, AWS service, country and AS. */
export function addressRows(info: AddressInfo, flowRegion: string | null): Row[] {
  const rows: (Row | false)[] = [
    ...(info.resource ? inventoryRows(info.resource, flowRegion) : []),
    !!info.network && ['network', `${info.network.name} (${info.network.cidr})`],
    !!info.network?.role && ['role', info.network.role],
    !!info.network?.tenant && ['tenant', info.network.tenant],
    !!info.aws && [
      'AWS',
      `${info.aws.service} in ${info.aws.region}${info.aws.networkBorderGroup && info.aws.networkBorderGroup !== info.aws.region ? ` (${info.aws.networkBorderGroup})` : ''}, ${info.aws.prefix}`,
    ],
    !!info.country && ['country', info.country],
    info.asn !== null && ['AS', [`AS${info.asn}`, info.asOrganization].filter(Boolean).join(' ')],
  ];
  return rows.filter((r): r is Row => r !== false);
}

function ContextTable({ name, subject, rows }: { name: string; subject: string | null; rows: Row[] }) {
  return (
    <div>
      <Text fw={600} fz="sm">
        {name}{' '}
        {subject && (
          <Text span ff="monospace" fz="inherit">
            {subject}
          </Text>
        )}
      </Text>
      {rows.length === 0 ? (
        <Text fz="sm" c="dimmed">
          Nothing known.
        </Text>
      ) : (
        <Table fz="sm" aria-label={`${name} context`} verticalSpacing={2}>
          <Table.Tbody>
            {rows.map(([label, value], i) => (
              <Table.Tr key={i}>
                <Table.Th w={120}>{label}</Table.Th>
                <Table.Td>{value}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </div>
  );
}

/**
 * What FlowLens knows of a flow's source, destination and interface at the flow's start (the API sends it with the
 * flow): resources, VPCs, subnets, security groups, networks, AWS services, countries and ASes, with links to the
 * AWS console.
 */
export function FlowContext({ flow }: { flow: FlowItem }) {
  const { src, dst } = flow;
  return (
    <Stack gap="sm" role="region" aria-label="Context">
      <Title order={4}>Context</Title>
      <ContextTable name="Source" subject={flow.srcAddr} rows={src ? addressRows(src, flow.region) : []} />
      <ContextTable name="Destination" subject={flow.dstAddr} rows={dst ? addressRows(dst, flow.region) : []} />
      {(flow.interface || flow.interfaceId) && (
        <ContextTable
          name="Interface"
          subject={flow.interfaceId}
          rows={flow.interface ? inventoryRows(flow.interface, flow.region) : []}
        />
      )}
    </Stack>
  );
}
