import { formatBytes, formatCount, formatTime } from '@/lib/format';
import type { ShowValue } from '@/lib/labels';
import type { FlowItem } from '@/types/api';

type Value = FlowItem[keyof FlowItem];

export interface FlowField {
  /** The AWS field name, as filters and the CSV export write it. */
  name: string;
  /** The property of the API's flow item. */
  key: keyof FlowItem;
  /** How the value reads in the table, when not as the API labels it. */
  show?: (value: Value) => string;
}

/** Every flow log field, in the order AWS documents them; then Transit Gateway flow logs' own. */
export const flowFields: FlowField[] = [
  { name: 'start', key: 'start', show: (v) => formatTime(v as string | null) },
  { name: 'end', key: 'end', show: (v) => formatTime(v as string | null) },
  { name: 'version', key: 'version' },
  { name: 'account-id', key: 'accountId' },
  { name: 'interface-id', key: 'interfaceId' },
  { name: 'srcaddr', key: 'srcAddr' },
  { name: 'dstaddr', key: 'dstAddr' },
  { name: 'srcport', key: 'srcPort' },
  { name: 'dstport', key: 'dstPort' },
  { name: 'protocol', key: 'protocol' },
  { name: 'packets', key: 'packets', show: (v) => (typeof v === 'number' ? formatCount(v) : '-') },
  { name: 'bytes', key: 'bytes', show: (v) => (typeof v === 'number' ? formatBytes(v) : '-') },
  { name: 'action', key: 'action' },
  { name: 'log-status', key: 'logStatus' },
  { name: 'vpc-id', key: 'vpcId' },
  { name: 'subnet-id', key: 'subnetId' },
  { name: 'instance-id', key: 'instanceId' },
  { name: 'tcp-flags', key: 'tcpFlags' },
  { name: 'type', key: 'type' },
  { name: 'pkt-srcaddr', key: 'pktSrcAddr' },
  { name: 'pkt-dstaddr', key: 'pktDstAddr' },
  { name: 'region', key: 'region' },
  { name: 'az-id', key: 'azId' },
  { name: 'sublocation-type', key: 'sublocationType' },
  { name: 'sublocation-id', key: 'sublocationId' },
  { name: 'pkt-src-aws-service', key: 'pktSrcAwsService' },
  { name: 'pkt-dst-aws-service', key: 'pktDstAwsService' },
  { name: 'flow-direction', key: 'flowDirection' },
  { name: 'traffic-path', key: 'trafficPath' },
  { name: 'reject-reason', key: 'rejectReason' },
  { name: 'ecs-cluster-arn', key: 'ecsClusterArn' },
  { name: 'ecs-cluster-name', key: 'ecsClusterName' },
  { name: 'ecs-container-instance-arn', key: 'ecsContainerInstanceArn' },
  { name: 'ecs-container-instance-id', key: 'ecsContainerInstanceId' },
  { name: 'ecs-container-id', key: 'ecsContainerId' },
  { name: 'ecs-second-container-id', key: 'ecsSecondContainerId' },
  { name: 'ecs-service-name', key: 'ecsServiceName' },
  { name: 'ecs-task-definition-arn', key: 'ecsTaskDefinitionArn' },
  { name: 'ecs-task-arn', key: 'ecsTaskArn' },
  { name: 'ecs-task-id', key: 'ecsTaskId' },
  { name: 'resource-type', key: 'resourceType' },
  { name: 'tgw-id', key: 'tgwId' },
  { name: 'tgw-attachment-id', key: 'tgwAttachmentId' },
  { name: 'tgw-src-vpc-account-id', key: 'tgwSrcVpcAccountId' },
  { name: 'tgw-dst-vpc-account-id', key: 'tgwDstVpcAccountId' },
  { name: 'tgw-src-vpc-id', key: 'tgwSrcVpcId' },
  { name: 'tgw-dst-vpc-id', key: 'tgwDstVpcId' },
  { name: 'tgw-src-subnet-id', key: 'tgwSrcSubnetId' },
  { name: 'tgw-dst-subnet-id', key: 'tgwDstSubnetId' },
  { name: 'tgw-src-eni', key: 'tgwSrcEni' },
  { name: 'tgw-dst-eni', key: 'tgwDstEni' },
  { name: 'tgw-src-az-id', key: 'tgwSrcAzId' },
  { name: 'tgw-dst-az-id', key: 'tgwDstAzId' },
  { name: 'tgw-pair-attachment-id', key: 'tgwPairAttachmentId' },
  {
    name: 'packets-lost-no-route',
    key: 'packetsLostNoRoute',
    show: (v) => (typeof v === 'number' ? formatCount(v) : '-'),
  },
  {
    name: 'packets-lost-blackhole',
    key: 'packetsLostBlackhole',
    show: (v) => (typeof v === 'number' ? formatCount(v) : '-'),
  },
  {
    name: 'packets-lost-mtu-exceeded',
    key: 'packetsLostMtuExceeded',
    show: (v) => (typeof v === 'number' ? formatCount(v) : '-'),
  },
  {
    name: 'packets-lost-ttl-expired',
    key: 'packetsLostTtlExpired',
    show: (v) => (typeof v === 'number' ? formatCount(v) : '-'),
  },
];

export const defaultColumns = [
  'start',
  'interface-id',
  'srcaddr',
  'srcport',
  'dstaddr',
  'dstport',
  'protocol',
  'bytes',
  'packets',
  'action',
];

export const fieldByName = new Map(flowFields.map((f) => [f.name, f]));

/** A field of a flow as it reads: formatted, or labelled as the API labels it (protocol, traffic-path, tcp-flags). */
export function showField(field: FlowField, item: FlowItem, showValue: ShowValue): string {
  const value = item[field.key];
  if (field.show) return field.show(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return showValue(field.name, value);
}
