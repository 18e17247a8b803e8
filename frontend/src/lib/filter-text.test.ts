import { describe, expect, it } from 'vitest';
import { addCondition, andFilter } from './filter-text';

describe('filter text', () => {
  it('starts a filter, or adds to it with and', () => {
    expect(addCondition('', 'srcaddr', '10.0.0.5')).toBe('srcaddr = 10.0.0.5');
    expect(addCondition('action = REJECT', 'dstport', '22')).toBe('action = REJECT and dstport = 22');
  });

  it('keeps an or together and quotes values with spaces', () => {
    expect(addCondition('dstport = 22 or dstport = 3389', 'action', 'REJECT')).toBe(
      '(dstport = 22 or dstport = 3389) and action = REJECT',
    );
    expect(addCondition('', 'reject-reason', 'BPA block')).toBe("reject-reason = 'BPA block'");
    expect(addCondition('', 'dstaddr', '2001:db8::1')).toBe('dstaddr = 2001:db8::1');
  });

  it('joins two filters, either of which may be empty', () => {
    expect(andFilter('', 'type = IPv6')).toBe('type = IPv6');
    expect(andFilter('action = REJECT', ' ')).toBe('action = REJECT');
    expect(andFilter('a = 1 or b = 2', 'pkt-dst-aws-service in (S3, DYNAMODB) and traffic-path = 8')).toBe(
      '(a = 1 or b = 2) and pkt-dst-aws-service in (S3, DYNAMODB) and traffic-path = 8',
    );
  });
});
