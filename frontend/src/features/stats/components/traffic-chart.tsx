import { useMemo } from 'react';
import { actionColors, Chart, type ChartClick } from '@/components/ui/chart';
import { QueryState } from '@/components/ui/states';
import { formatBytes, formatCount } from '@/lib/format';
import type { TimeSeries } from '@/types/api';
import type { Metric } from '../api/get-top';
import { useTimeSeries } from '../api/get-timeseries';
import type { StatsQuery } from '../api/stats-query';

// Records without the field: NODATA and SKIPDATA rows for action, for instance.
const noValue = 'no value';

const intervalMs: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
};

/** A clicked bar: its bucket and its group's value. */
export interface BucketSelection {
  from: Date;
  to: Date;
  key: string;
}

interface TrafficChartProps {
  params: StatsQuery;
  /** The field that splits the bars (action by default: accepted vs rejected). */
  groupBy?: string;
  metric?: Metric;
  label: string;
  onSelect?: (selection: BucketSelection) => void;
}

/** Traffic over time, stacked by a field; a click on a bar selects its bucket and group. */
export function TrafficChart({ params, groupBy = 'action', metric = 'flows', label, onSelect }: TrafficChartProps) {
  const query = useTimeSeries({ ...params, groupBy, metric, limit: 8 });
  return (
    <QueryState
      query={query}
      minHeight={260}
      isEmpty={(d) => d.series.every((s) => s.points.every((p) => p.value === 0))}
    >
      {(data) => <SeriesChart data={data} metric={metric} label={label} onSelect={onSelect} />}
    </QueryState>
  );
}

function SeriesChart({
  data,
  metric,
  label,
  onSelect,
}: {
  data: TimeSeries;
  metric: Metric;
  label: string;
  onSelect?: (s: BucketSelection) => void;
}) {
  const show = metric === 'bytes' ? formatBytes : formatCount;
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => show(v) },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => show(v) } },
      series: data.series.map((s) => ({
        name: s.key === '-' ? noValue : s.key,
        type: 'bar',
        stack: 'all',
        barCategoryGap: '10%',
        itemStyle: actionColors[s.key] ? { color: actionColors[s.key] } : undefined,
        data: s.points.map((p) => [p.t, p.value]),
      })),
    }),
    [data, show],
  );
  const step = intervalMs[data.interval] ?? 300_000;
  const click = onSelect
    ? (c: ChartClick) => {
        const start = new Date((c.value as [string, number])[0]);
        onSelect({
          from: start,
          to: new Date(start.getTime() + step),
          key: c.seriesName === noValue ? '-' : (c.seriesName ?? ''),
        });
      }
    : undefined;
  return <Chart option={option} label={label} onClick={click} />;
}
