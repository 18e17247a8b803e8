import { cleanup, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { s3, web, webInterface } from '@/testing/context-fixtures';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import type { FlowItem } from '@/types/api';
import { FlowDrawer } from './flow-drawer';

const flow: FlowItem = {
  version: 5,
  accountId: '111122223333',
  interfaceId: 'eni-0a1b2c3d4e5f60718',
  srcAddr: '10.0.0.5',
  dstAddr: '52.218.10.27',
  srcPort: 49152,
  dstPort: 443,
  protocol: 6,
  packets: 10,
  bytes: 5000,
  start: '2026-12-01T10:00:00Z',
  end: '2026-12-01T10:01:00Z',
  action: 'ACCEPT',
  logStatus: 'OK',
  vpcId: 'vpc-0aa11bb22cc33dd44',
  subnetId: null,
  instanceId: null,
  tcpFlags: null,
  type: null,
  pktSrcAddr: null,
  pktDstAddr: null,
  region: 'eu-west-1',
  azId: null,
  sublocationType: null,
  sublocationId: null,
  pktSrcAwsService: null,
  pktDstAwsService: null,
  flowDirection: null,
  trafficPath: null,
  rejectReason: null,
  ecsClusterArn: null,
  ecsClusterName: null,
  ecsContainerInstanceArn: null,
  ecsContainerInstanceId: null,
  ecsContainerId: null,
  ecsSecondContainerId: null,
  ecsServiceName: null,
  ecsTaskDefinitionArn: null,
  ecsTaskArn: null,
  ecsTaskId: null,
  resourceType: null,
  tgwId: null,
  tgwAttachmentId: null,
  tgwSrcVpcAccountId: null,
  tgwDstVpcAccountId: null,
  tgwSrcVpcId: null,
  tgwDstVpcId: null,
  tgwSrcSubnetId: null,
  tgwDstSubnetId: null,
  tgwSrcEni: null,
  tgwDstEni: null,
  tgwSrcAzId: null,
  tgwDstAzId: null,
  tgwPairAttachmentId: null,
  packetsLostNoRoute: null,
  packetsLostBlackhole: null,
  packetsLostMtuExceeded: null,
  packetsLostTtlExpired: null,
  sourceId: 1,
  objectId: 2,
  line: 3,
  extras: null,
  src: web,
  dst: s3,
  interface: webInterface,
};

const rows = (table: HTMLElement) =>
  Object.fromEntries(
    within(table)
      .getAllByRole('row')
      .map((row) => [row.querySelector('th')!.textContent, row.querySelector('td')!.textContent]),
  );

describe('FlowDrawer', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/api/filter/fields') return sendJson(res, 200, []);
      sendJson(res, 404, { title: 'Not found', status: 404 });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('shows the context of the source, destination and interface', async () => {
    renderWithProviders(<FlowDrawer flow={flow} onClose={() => {}} />);
    const context = await screen.findByRole('region', { name: 'Context' });
    expect(rows(within(context).getByRole('table', { name: 'Source context' }))).toEqual({
      resource: 'instance web-1 (i-0123456789abcdef0)',
      type: 't3.small',
      state: 'running',
      interface: 'eni-0a1b2c3d4e5f60718 interface (private address)',
      VPC: 'prod-vpc (vpc-0aa11bb22cc33dd44)',
      subnet: 'prod-private-a (subnet-0abc1234def567890), eu-west-1a',
      'security groups': 'sg-0fedcba9876543210 web-public “web”',
      account: '111122223333, eu-west-1',
      network: 'prod (10.0.0.0/16)',
      role: 'web',
      tenant: 'shop',
    });
    expect(rows(within(context).getByRole('table', { name: 'Destination context' }))).toEqual({
      AWS: 'S3 in eu-west-1, 52.218.0.0/17',
      country: 'IE',
      AS: 'AS16509 AMAZON-02',
    });
    const iface = within(context).getByRole('table', { name: 'Interface context' });
    expect(rows(iface).resource).toBe('instance web-1 (i-0123456789abcdef0)');
    // The flow's fields are still all there.
    expect(within(screen.getByRole('table', { name: 'Flow record fields' })).getByText('log-status')).toBeTruthy();
  });

  it('links instances, interfaces, VPCs, subnets and security groups to the AWS console, in a new tab', async () => {
    renderWithProviders(<FlowDrawer flow={flow} onClose={() => {}} />);
    const table = within(await screen.findByRole('region', { name: 'Context' })).getByRole('table', {
      name: 'Interface context',
    });
    const links = within(table).getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      [
        'i-0123456789abcdef0',
        'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0',
      ],
      [
        'eni-0a1b2c3d4e5f60718',
        'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#NetworkInterface:networkInterfaceId=eni-0a1b2c3d4e5f60718',
      ],
      [
        'vpc-0aa11bb22cc33dd44',
        'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#VpcDetails:VpcId=vpc-0aa11bb22cc33dd44',
      ],
      [
        'subnet-0abc1234def567890',
        'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#SubnetDetails:subnetId=subnet-0abc1234def567890',
      ],
      [
        'sg-0fedcba9876543210',
        'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0fedcba9876543210',
      ],
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('shows names as text, never as HTML', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const tagged = { ...web, resource: { ...webInterface, resourceName: evil, vpcName: evil } };
    renderWithProviders(<FlowDrawer flow={{ ...flow, src: tagged }} onClose={() => {}} />);
    const table = within(await screen.findByRole('region', { name: 'Context' })).getByRole('table', {
      name: 'Source context',
    });
    expect(rows(table).resource).toBe(`instance ${evil} (i-0123456789abcdef0)`);
    expect(table.querySelector('img')).toBeNull();
  });

  it('says when nothing is known of an address or the interface', async () => {
    renderWithProviders(<FlowDrawer flow={{ ...flow, dst: null, interface: null }} onClose={() => {}} />);
    const context = await screen.findByRole('region', { name: 'Context' });
    expect(within(context).getAllByText('Nothing known.')).toHaveLength(2);
    expect(within(context).queryByRole('table', { name: 'Destination context' })).toBeNull();
    expect(within(context).getByRole('table', { name: 'Source context' })).toBeTruthy();
  });
});
