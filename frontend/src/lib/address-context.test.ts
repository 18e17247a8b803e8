import { describe, expect, it, vi } from 'vitest';
import { office, s3, web, info } from '@/testing/context-fixtures';
import {
  addressesOfKey,
  addressName,
  addressSuffix,
  addressSummary,
  addressThreatLists,
  contextInstant,
  createAddressLoader,
} from './address-context';

describe('addressName', () => {
  it('names an address by its resource, else its network, else its AWS service', () => {
    expect(addressName(web)).toBe('web-1');
    expect(addressName(office)).toBe('office-vpn');
    expect(addressName(s3)).toBe('S3');
    expect(addressName(info('203.0.113.9', { country: 'CN', asn: 4134 }))).toBeNull();
    expect(addressName(undefined)).toBeNull();
    // A resource without a Name tag: its kind and id.
    const nat = info('10.0.1.9', {
      resource: { ...web.resource!, kind: 'nat-gateway', resourceId: 'nat-0abc', resourceName: null },
    });
    expect(addressName(nat)).toBe('nat-gateway nat-0abc');
  });

  it('gives country and AS as a suffix, and all of it for a tooltip', () => {
    expect(addressSuffix(s3)).toBe('IE · AS16509');
    expect(addressSuffix(info('203.0.113.9', { country: 'CN' }))).toBe('CN');
    expect(addressSuffix(web)).toBeNull();
    expect(addressSummary(web)).toBe('web-1 (instance i-0123456789abcdef0) · prod 10.0.0.0/16 web shop');
    expect(addressSummary(s3)).toBe('AWS S3 eu-west-1 · IE · AS16509 AMAZON-02');
  });
});

describe('addressThreatLists', () => {
  const listed = {
    ...info('203.0.113.9', { country: 'CN' }),
    threatLists: [
      { id: 2, name: 'incident-42', entry: '203.0.113.9/32' },
      { id: 1, name: 'spamhaus-drop', entry: '203.0.113.0/24' },
    ],
  };

  it('names the threat lists holding an address, and the summary gives their entries', () => {
    expect(addressThreatLists(listed)).toBe('incident-42, spamhaus-drop');
    expect(addressSummary(listed)).toBe(
      'CN · threat lists: incident-42 (203.0.113.9/32), spamhaus-drop (203.0.113.0/24)',
    );
  });

  it('says nothing for an address on no list, or one a flow carries (no lists asked)', () => {
    expect(addressThreatLists({ ...web, threatLists: [] })).toBeNull();
    expect(addressThreatLists(web)).toBeNull();
    expect(addressThreatLists(undefined)).toBeNull();
  });
});

describe('addressesOfKey', () => {
  it('finds the addresses of address and pair keys only', () => {
    expect(addressesOfKey('srcaddr', '10.0.0.5')).toEqual(['10.0.0.5']);
    expect(addressesOfKey('pkt-dstaddr', '2001:db8::1')).toEqual(['2001:db8::1']);
    expect(addressesOfKey('pair', '10.0.0.5 -> 52.218.10.27')).toEqual(['10.0.0.5', '52.218.10.27']);
    expect(addressesOfKey('pair', '10.0.0.5 -> -')).toEqual(['10.0.0.5']);
    expect(addressesOfKey('srcaddr', '-')).toEqual([]);
    expect(addressesOfKey('dstport', '443')).toEqual([]);
  });
});

describe('contextInstant', () => {
  it('names a past range at its end, one that reaches now at now', () => {
    const now = Date.parse('2026-12-03T04:00:00Z');
    expect(contextInstant({ to: new Date('2026-12-02T00:00:00Z') }, now)).toBe('2026-12-02T00:00:00.000Z');
    expect(contextInstant({ to: new Date('2026-12-03T05:00:00Z') }, now)).toBeUndefined();
  });
});

describe('createAddressLoader', () => {
  it('asks for the addresses of one instant in one request, in order, each once', async () => {
    const fetch = vi.fn((addresses: string[]) =>
      Promise.resolve(addresses.map((a) => (a === web.address ? web : info(a)))),
    );
    const load = createAddressLoader(fetch);
    const answers = await Promise.all([
      load('10.0.0.5'),
      load('192.0.2.77'),
      load('10.0.0.5'),
      load('10.0.0.5', '2026-12-01T00:00:00.000Z'),
    ]);
    expect(fetch.mock.calls).toEqual([
      [['10.0.0.5', '192.0.2.77'], undefined],
      [['10.0.0.5'], '2026-12-01T00:00:00.000Z'],
    ]);
    expect(answers.map(addressName)).toEqual(['web-1', null, 'web-1', 'web-1']);
  });

  it('keys the answer by the address as asked, and splits more than 150 addresses', async () => {
    const fetch = vi.fn((addresses: string[]) =>
      // The API writes IPv6 its own way: the order tells which is which.
      Promise.resolve(addresses.map((a) => info(a.replace(':0:', '::')))),
    );
    const load = createAddressLoader(fetch);
    const many = Array.from({ length: 151 }, (_, i) => `2001:db8:0:${i.toString(16)}::1`);
    const answers = await Promise.all(many.map((a) => load(a)));
    expect(fetch.mock.calls.map(([addresses]) => addresses.length)).toEqual([150, 1]);
    expect(answers.map((a) => a?.address)).toEqual(many);
  });

  it('fails every address of a failed request', async () => {
    const load = createAddressLoader(() => Promise.reject(new Error('503')));
    await expect(Promise.all([load('10.0.0.5'), load('10.0.0.6')])).rejects.toThrow('503');
  });
});
