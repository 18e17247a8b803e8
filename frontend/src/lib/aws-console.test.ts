import { describe, expect, it } from 'vitest';
import { consoleUrl } from './aws-console';

describe('consoleUrl', () => {
  it('links instances, interfaces and security groups to EC2, VPCs and subnets to the VPC console', () => {
    expect(consoleUrl('instance', 'i-0123456789abcdef0', 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0',
    );
    expect(consoleUrl('interface', 'eni-0a1b2c3d4e5f60718', 'us-east-1')).toBe(
      'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#NetworkInterface:networkInterfaceId=eni-0a1b2c3d4e5f60718',
    );
    expect(consoleUrl('security-group', 'sg-0fedcba9876543210', 'ap-southeast-2')).toBe(
      'https://ap-southeast-2.console.aws.amazon.com/ec2/home?region=ap-southeast-2#SecurityGroup:groupId=sg-0fedcba9876543210',
    );
    expect(consoleUrl('vpc', 'vpc-0aa11bb22cc33dd44', 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#VpcDetails:VpcId=vpc-0aa11bb22cc33dd44',
    );
    expect(consoleUrl('subnet', 'subnet-1a2b3c4d', 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#SubnetDetails:subnetId=subnet-1a2b3c4d',
    );
  });

  it('uses the China and GovCloud consoles for their regions', () => {
    expect(consoleUrl('vpc', 'vpc-0aa11bb22cc33dd44', 'cn-north-1')).toBe(
      'https://console.amazonaws.cn/vpcconsole/home?region=cn-north-1#VpcDetails:VpcId=vpc-0aa11bb22cc33dd44',
    );
    expect(consoleUrl('instance', 'i-0123456789abcdef0', 'us-gov-west-1')).toMatch(
      /^https:\/\/console\.amazonaws-us-gov\.com\/ec2\/home\?region=us-gov-west-1#/,
    );
  });

  it('makes no link of a missing or malformed region or id', () => {
    expect(consoleUrl('instance', 'i-0123456789abcdef0', null)).toBeNull();
    expect(consoleUrl('instance', null, 'eu-west-1')).toBeNull();
    expect(consoleUrl('instance', 'i-0123456789abcdef0', 'evil.com/x')).toBeNull();
    expect(consoleUrl('instance', 'i-0123#x', 'eu-west-1')).toBeNull();
    // An id of another kind: no instance page for a security group.
    expect(consoleUrl('instance', 'sg-0fedcba9876543210', 'eu-west-1')).toBeNull();
    expect(consoleUrl('subnet', 'subnet-"onmouseover', 'eu-west-1')).toBeNull();
  });
});
