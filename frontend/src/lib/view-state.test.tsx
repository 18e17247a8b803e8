import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useViewState } from './view-state';

const at =
  (url: string) =>
  ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={[url]}>{children}</MemoryRouter>;

describe('useViewState', () => {
  it('reads the range, filter and the rest from the URL, with the defaults', () => {
    const { result } = renderHook(() => useViewState(), {
      wrapper: at('/explorer?from=now-6h&q=dstport%20%3D%2022&by=srcaddr'),
    });
    expect(result.current).toMatchObject({ from: 'now-6h', to: 'now', q: 'dstport = 22' });
    expect(result.current.params.get('by')).toBe('srcaddr');
    expect(result.current.range!.to.getTime() - result.current.range!.from.getTime()).toBe(6 * 3600_000);
    // Links to other views carry the range and the filter, not this view's own grouping.
    expect(result.current.shared).toBe('?from=now-6h&q=dstport+%3D+22');

    const plain = renderHook(() => useViewState(), { wrapper: at('/') });
    expect(plain.result.current).toMatchObject({ from: 'now-24h', to: 'now', q: '', shared: '' });
  });

  it('changes some parameters and drops the emptied ones, keeping the others', () => {
    const { result } = renderHook(() => useViewState(), { wrapper: at('/?from=now-6h&by=srcaddr') });
    act(() => result.current.update({ q: 'action = REJECT', by: null, from: '' }));
    expect(result.current).toMatchObject({ from: 'now-24h', q: 'action = REJECT' });
    expect(result.current.params.toString()).toBe('q=action+%3D+REJECT');
  });

  it('has no range when the URL holds an unreadable one', () => {
    const { result } = renderHook(() => useViewState(), { wrapper: at('/?from=yesterday') });
    expect(result.current.range).toBeNull();
  });
});
