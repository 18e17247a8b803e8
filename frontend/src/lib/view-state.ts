import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { defaultFrom, defaultTo, resolveRange } from './time-range';

/** The parameters every view shares: they travel with the links between views. */
export const sharedParams = ['from', 'to', 'q'] as const;

/**
 * A view's state, kept in the URL so a link reproduces what was seen: the time range (`from`, `to`), the
 * filter (`q`) and whatever else the view keeps (grouping, columns).
 */
export function useViewState() {
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? defaultFrom;
  const to = params.get('to') ?? defaultTo;
  const q = params.get('q') ?? '';
  // Relative ranges are resolved when the URL changes; the refresh button re-resolves them at the instant in `at`.
  const at = Number(params.get('at')) || undefined;
  const range = useMemo(() => resolveRange(from, to, at), [from, to, at]);

  const update = useCallback(
    (changes: Record<string, string | null>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [name, value] of Object.entries(changes)) {
            if (value === null || value === '') next.delete(name);
            else next.set(name, value);
          }
          return next;
        },
        { replace: false },
      ),
    [setParams],
  );

  /** The shared part of the URL, for links to other views. */
  const shared = useMemo(() => {
    const next = new URLSearchParams();
    for (const name of sharedParams) {
      const value = params.get(name);
      if (value) next.set(name, value);
    }
    const text = next.toString();
    return text ? `?${text}` : '';
  }, [params]);

  return { from, to, q, range, params, update, shared };
}
