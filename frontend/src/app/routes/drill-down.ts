import { useNavigate } from 'react-router';
import { addCondition, andFilter } from '@/lib/filter-text';
import { useViewState } from '@/lib/view-state';

/**
 * The view's state for its widgets, and drill-downs: `narrow` adds a condition to this view's filter, `explore`
 * opens the explorer on the flows behind a value, `exploreBucket` on a clicked time bucket. A view with a
 * `baseFilter` (rejections: `action = REJECT`) applies it to everything it shows and passes it on.
 */
export function useDrillDown(baseFilter = '') {
  const view = useViewState();
  const navigate = useNavigate();
  const q = andFilter(view.q, baseFilter);
  const explore = (filter: string, from = view.from, to = view.to) => {
    const params = new URLSearchParams({ from, to, q: filter });
    if (to === 'now') params.delete('to');
    void navigate(`/explorer?${params.toString()}`);
  };
  return {
    view,
    params: view.range ? { range: view.range, q } : null,
    narrow: (field: string) => (value: string) => view.update({ q: addCondition(view.q, field, value) }),
    explore: (field: string) => (value: string) => explore(addCondition(q, field, value)),
    exploreBucket: (field: string) => (bucket: { from: Date; to: Date; key: string }) =>
      explore(
        bucket.key && bucket.key !== 'other' && bucket.key !== '-' ? addCondition(q, field, bucket.key) : q,
        bucket.from.toISOString(),
        bucket.to.toISOString(),
      ),
  };
}
