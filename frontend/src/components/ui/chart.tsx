import { useComputedColorScheme } from '@mantine/core';
import { BarChart, LineChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** What was clicked: the series (e.g. REJECT), the category or time, and the datum's own value. */
export interface ChartClick {
  seriesName?: string;
  name: string;
  value: unknown;
  dataType?: string;
  data: unknown;
}

interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers. */
  label: string;
  height?: number;
  onClick?: (click: ChartClick) => void;
}

/** The one chart of the dashboard: an ECharts instance drawn in SVG, following the light or dark theme. */
export function Chart({ option, label, height = 260, onClick }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    const instance = echarts.init(element.current, scheme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(element.current!);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', animation: false, ...option }, true);
  }, [option, scheme]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || !onClick) return;
    instance.on('click', (params) => onClick(params as unknown as ChartClick));
    instance.getZr().setCursorStyle('pointer');
    return () => {
      instance.off('click');
    };
  }, [onClick, scheme]);

  return <div ref={element} role="img" aria-label={label} style={{ height, width: '100%' }} />;
}

/** The colours of ACCEPT and REJECT everywhere. */
export const actionColors: Record<string, string> = {
  ACCEPT: '#2f9e44',
  REJECT: '#e03131',
  '-': '#868e96',
  other: '#adb5bd',
};
