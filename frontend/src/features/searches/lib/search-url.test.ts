import { describe, expect, it } from 'vitest';
import { searchOfLocation, urlOfSearch, viewOfPath } from './search-url';

describe('search-url', () => {
  it('names the views a search can open, and no other', () => {
    expect(['/', '/rejections', '/explorer', '/traffic-paths', '/sources', '/networks'].map(viewOfPath)).toEqual([
      'overview',
      'rejections',
      'explorer',
      'traffic-paths',
      null,
      null,
    ]);
  });

  it('saves the filter, range and the view’s own parameters, not the refresh instant', () => {
    const params = new URLSearchParams(
      'from=now-7d&q=dstport+%3D+22&cols=start,srcaddr&by=srcaddr&at=123&Bad%20Name=x',
    );
    expect(searchOfLocation('/explorer', params)).toEqual({
      view: 'explorer',
      filter: 'dstport = 22',
      from: 'now-7d',
      to: 'now',
      viewState: { cols: 'start,srcaddr', by: 'srcaddr' },
    });
    expect(searchOfLocation('/', new URLSearchParams())).toEqual({
      view: 'overview',
      filter: '',
      from: 'now-24h',
      to: 'now',
      viewState: null,
    });
    expect(searchOfLocation('/sources', new URLSearchParams('q=x'))).toBeNull();
  });

  it('opens a search at its view with its filter, range and state in the URL', () => {
    const base = { filter: '', from: 'now-24h', to: 'now', viewState: null };
    expect(urlOfSearch({ ...base, view: 'overview' })).toBe('/?from=now-24h');
    expect(
      urlOfSearch({
        view: 'explorer',
        filter: 'action = REJECT',
        from: 'now-1h',
        to: 'now',
        viewState: { by: 'srcaddr' },
      }),
    ).toBe('/explorer?from=now-1h&q=action+%3D+REJECT&by=srcaddr');
    expect(urlOfSearch({ ...base, view: 'rejections', from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' })).toBe(
      '/rejections?from=2026-12-01T00%3A00%3A00Z&to=2026-12-02T00%3A00%3A00Z',
    );
    // A round trip keeps what was saved.
    const url = urlOfSearch({
      view: 'traffic-paths',
      filter: 'dstport in (22, 3389)',
      from: 'now-6h',
      to: 'now',
      viewState: null,
    });
    const [path, query] = url.split('?');
    expect(searchOfLocation(path, new URLSearchParams(query))).toEqual({
      view: 'traffic-paths',
      filter: 'dstport in (22, 3389)',
      from: 'now-6h',
      to: 'now',
      viewState: null,
    });
  });
});
