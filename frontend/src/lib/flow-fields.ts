import type { FlowItem } from '@/types/api';
import { formatBytes, formatCount, formatProtocol, formatTime, formatTrafficPath } from './format';

type Value = FlowItem[keyof FlowItem];

export interface FlowField {
  /** The AWS field name, as filters and the CSV export write it. */
  name: string;
  /** The property of the API's flow item. */
  key: keyof FlowItem;
  /** How the value reads in the table. */
  show?: (value: Value) => string;
}

const text = (value: Value) =>
  value === null || value === undefined ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value);

const tcpFlagNames: [number, string][] = [
  [1, 'FIN'],
  [2, 'SYN'],
  [4, 'RST'],
  [8, 'PSH'],
  [16, 'ACK'],
  [32, 'URG'],
];
const showTcpFlags = (value: Value) =>
  typeof value === 'number'
    ? `${
        tcpFlagNames
          .filter(([bit]) => value & bit)
          .map(([, n]) => n)
          .join(' ') || '-'
      } (${value})`
    : '-';

/** Every flow log field, in the order AWS documents them. */
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
  { name: 'protocol', key: 'protocol', show: (v) => formatProtocol(v as number | null) },
  { name: 'packets', key: 'packets', show: (v) => (typeof v === 'number' ? formatCount(v) : '-') },
  { name: 'bytes', key: 'bytes', show: (v) => (typeof v === 'number' ? formatBytes(v) : '-') },
  { name: 'action', key: 'action' },
  { name: 'log-status', key: 'logStatus' },
  { name: 'vpc-id', key: 'vpcId' },
  { name: 'subnet-id', key: 'subnetId' },
  { name: 'instance-id', key: 'instanceId' },
  { name: 'tcp-flags', key: 'tcpFlags', show: showTcpFlags },
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
  { name: 'traffic-path', key: 'trafficPath', show: (v) => formatTrafficPath(v as number | null) },
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

export const showValue = (field: FlowField, item: FlowItem) => (field.show ?? text)(item[field.key]);

/** How a top-N key reads: protocols and traffic paths by name, the rest as the API wrote it. */
export function showKey(field: string, key: string): string {
  if (key === '-') return '- (no value)';
  if (field === 'protocol') return formatProtocol(key);
  if (field === 'traffic-path') return formatTrafficPath(key);
  return key;
}
