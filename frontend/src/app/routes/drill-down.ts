import { useNavigate } from 'react-router';
import { addCondition, useViewState } from '@/lib/view-state';

/**
 * The view's state for the widgets, and drill-downs: `narrow` adds a condition to this view's filter, `explore`
 * opens the explorer on the flows behind a value, `exploreBucket` on a clicked time bucket.
 */
export function useDrillDown(baseFilter = '') {
  const view = useViewState();
  const navigate = useNavigate();
  const explore = (q: string, from = view.from, to = view.to) => {
    const params = new URLSearchParams({ from, to, q });
    if (to === 'now') params.delete('to');
    void navigate(`/explorer?${params.toString()}`);
  };
  const withBase = (q: string) => (baseFilter ? addCondition(q, ...splitCondition(baseFilter)) : q);
  return {
    view,
    params: view.range ? { range: view.range, q: baseFilter ? (view.q ? `(${view.q}) and ${baseFilter}` : baseFilter) : view.q } : null,
    narrow: (field: string) => (value: string) => view.update({ q: addCondition(view.q, field, value) }),
    explore: (field: string) => (value: string) => explore(addCondition(withBase(view.q), field, value)),
    exploreBucket: (field: string) => (bucket: { from: Date; to: Date; key: string }) =>
      explore(
        bucket.key && bucket.key !== 'other' && bucket.key !== '-' ? addCondition(withBase(view.q), field, bucket.key) : withBase(view.q),
        bucket.from.toISOString(),
        bucket.to.toISOString(),
      ),
  };
}

// A base filter here is always one `field = value`.
function splitCondition(condition: string): [string, string] {
  const [field, value] = condition.split(' = ');
  return [field!, value!];
}
