import type { AddressInfo, InventoryContext } from '@/types/api';

// What FlowLens knows of addresses, as GET /api/context/addresses and the flows' src/dst/interface give it.

export const webInterface: InventoryContext = {
  interfaceId: 'eni-0a1b2c3d4e5f60718',
  addressKind: 'private',
  accountId: '111122223333',
  region: 'eu-west-1',
  kind: 'instance',
  resourceId: 'i-0123456789abcdef0',
  resourceName: 'web-1',
  resourceType: 't3.small',
  resourceState: 'running',
  interfaceType: 'interface',
  description: null,
  instanceId: 'i-0123456789abcdef0',
  vpcId: 'vpc-0aa11bb22cc33dd44',
  vpcName: 'prod-vpc',
  subnetId: 'subnet-0abc1234def567890',
  subnetName: 'prod-private-a',
  availabilityZone: 'eu-west-1a',
  securityGroups: [{ id: 'sg-0fedcba9876543210', groupName: 'web-public', name: 'web' }],
};

export const info = (address: string, known: Partial<AddressInfo> = {}): AddressInfo => ({
  address,
  network: null,
  aws: null,
  country: null,
  asn: null,
  asOrganization: null,
  resource: null,
  ...known,
});

export const web = info('10.0.0.5', {
  resource: webInterface,
  network: { id: 1, cidr: '10.0.0.0/16', name: 'prod', role: 'web', tenant: 'shop' },
});
export const s3 = info('52.218.10.27', {
  aws: { prefix: '52.218.0.0/17', service: 'S3', region: 'eu-west-1', networkBorderGroup: 'eu-west-1' },
  country: 'IE',
  asn: 16509,
  asOrganization: 'AMAZON-02',
});
export const office = info('192.0.2.10', {
  network: { id: 2, cidr: '192.0.2.0/24', name: 'office-vpn', role: null, tenant: null },
});
