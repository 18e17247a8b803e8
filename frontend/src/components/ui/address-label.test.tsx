import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { info, web } from '@/testing/context-fixtures';
import { renderWithProviders } from '@/testing/render';
import { AddressLabel } from './address-label';

afterEach(cleanup);

describe('AddressLabel', () => {
  it('shows the threat lists holding an address, with their entries in the tooltip', () => {
    const listed = {
      ...info('203.0.113.9', { country: 'CN', asn: 4134 }),
      threatLists: [{ id: 1, name: 'spamhaus-drop', entry: '203.0.113.0/24' }],
    };
    const { container } = renderWithProviders(<AddressLabel address="203.0.113.9" info={listed} />);
    expect(screen.getByText('on spamhaus-drop').hasAttribute('data-threat-lists')).toBe(true);
    expect(container.querySelector('span[title]')?.getAttribute('title')).toBe(
      'CN · AS4134 · threat lists: spamhaus-drop (203.0.113.0/24)',
    );
  });

  it('shows no list for an address on none', () => {
    const { container } = renderWithProviders(<AddressLabel address="10.0.0.5" info={{ ...web, threatLists: [] }} />);
    expect(screen.getByText('web-1')).toBeTruthy();
    expect(container.querySelector('[data-threat-lists]')).toBeNull();
  });
});
