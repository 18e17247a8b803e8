import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { sendJson, startTestServer } from '@/testing/test-server';
import { SettingsView } from './settings-view';

describe('Settings', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer((_req, res) =>
      sendJson(res, 200, {
        versions: {
          flowLens: '1.0.0+abc',
          runtime: '.NET 10.0.1',
          os: 'Debian',
          postgres: '15.10',
          schema: '20261207140000_SessionDevices',
          node: 'flowlens-0',
          startedAt: '2026-12-04T08:00:00Z',
        },
        settings: [
          { key: 'FlowLens:Auth:Oidc:ClientSecret', value: 'set', secret: true },
          { key: 'FlowLens:Auth:BootstrapAdminKey', value: null, secret: true },
          { key: 'FlowLens:Retention:Days', value: '30', secret: false },
          { key: 'FlowLens:Rollups:TopKeys', value: '1000', secret: false },
        ],
      }),
    );
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  afterEach(cleanup);

  it('shows versions, values, and secrets only as set or not; the search narrows the list', async () => {
    renderWithProviders(<SettingsView />);
    expect(await screen.findByText('20261207140000_SessionDevices')).toBeTruthy();
    expect(screen.getByText('15.10')).toBeTruthy();
    const row = (key: string) => screen.getByText(key).closest('tr')!;
    expect(within(row('FlowLens:Auth:Oidc:ClientSecret')).getByText('secret set')).toBeTruthy();
    expect(within(row('FlowLens:Auth:BootstrapAdminKey')).getByText('secret not set')).toBeTruthy();
    expect(within(row('FlowLens:Retention:Days')).getByText('30')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Find a setting'), { target: { value: 'retention' } });
    expect(screen.getByText('FlowLens:Retention:Days')).toBeTruthy();
    expect(screen.queryByText('FlowLens:Rollups:TopKeys')).toBeNull();
  });
});
