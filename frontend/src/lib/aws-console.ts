// Links to a resource's page in the AWS console. Every part is checked first: ids and regions come from flow
// logs and the inventory, and a link is made only of what looks like what it claims to be.

export type ConsoleResource = 'instance' | 'interface' | 'security-group' | 'vpc' | 'subnet';

const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const pages: Record<ConsoleResource, { prefix: string; app: 'ec2' | 'vpcconsole'; fragment: string }> = {
  instance: { prefix: 'i-', app: 'ec2', fragment: 'InstanceDetails:instanceId=' },
  interface: { prefix: 'eni-', app: 'ec2', fragment: 'NetworkInterface:networkInterfaceId=' },
  'security-group': { prefix: 'sg-', app: 'ec2', fragment: 'SecurityGroup:groupId=' },
  vpc: { prefix: 'vpc-', app: 'vpcconsole', fragment: 'VpcDetails:VpcId=' },
  subnet: { prefix: 'subnet-', app: 'vpcconsole', fragment: 'SubnetDetails:subnetId=' },
};

/** The console's address for a region: its own domains for the China and GovCloud partitions. */
function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The console page of an instance, network interface, security group, VPC or subnet in `region`, e.g.
 * https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0abc…;
 * null when the region or the id is missing or malformed.
 */
export function consoleUrl(kind: ConsoleResource, id: string | null | undefined, region: string | null | undefined) {
  const page = pages[kind];
  if (!id || !region || !regionPattern.test(region)) return null;
  if (!id.startsWith(page.prefix) || !/^[0-9a-f]{8,17}$/.test(id.slice(page.prefix.length))) return null;
  return `${consoleHost(region)}/${page.app}/home?region=${region}#${page.fragment}${id}`;
}
