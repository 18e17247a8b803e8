import { useMemo } from 'react';
import { Chart } from '@/components/ui/chart';
import { QueryState } from '@/components/ui/states';
import { addressFields, addressName, contextInstant, useAddressInfos, type AddressInfos } from '@/lib/address-context';
import { formatBytes } from '@/lib/format';
import type { TopItem } from '@/types/api';
import { useTop } from '../api/get-top';
import type { StatsQuery } from '../api/stats-query';

const levels = ['srcaddr', 'dstport', 'dstaddr'] as const;

/** Sankey nodes and links from top (srcaddr, dstport, dstaddr) triples; each level's names are kept apart. */
export function sankeyData(items: TopItem[]) {
  const nodes = new Map<string, { name: string; depth: number }>();
  const links = new Map<string, { source: string; target: string; value: number }>();
  for (const item of items) {
    const parts = item.key.split(' -> ');
    const names = parts.map((value, level) => `${levels[level]} ${value}`);
    names.forEach((name, depth) => nodes.set(name, { name, depth }));
    for (let i = 0; i + 1 < names.length; i++) {
      const id = `${names[i]}|${names[i + 1]}`;
      const link = links.get(id) ?? { source: names[i], target: names[i + 1], value: 0 };
      link.value += item.bytes;
      links.set(id, link);
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}

/** A node's label: its value, and the name of an address ("10.0.0.5 web-1") when FlowLens knows one. */
export function sankeyLabel(node: string, infos: AddressInfos): string {
  const space = node.indexOf(' ');
  const [level, value] = [node.slice(0, space), node.slice(space + 1)];
  const name = addressFields.has(level) ? addressName(infos.get(value)) : null;
  return name ? `${value} ${name}` : value;
}

/** Where the bytes go: source → destination port → destination, for the top triples of the query. */
export function FlowSankey({
  params,
  onSelect,
}: {
  params: StatsQuery;
  onSelect?: (field: string, value: string) => void;
}) {
  const top = useTop({ ...params, by: levels.join(','), metric: 'bytes', limit: 25 });
  return (
    <QueryState query={top} isEmpty={(d) => d.items.length === 0} minHeight={360}>
      {(data) => <SankeyChart items={data.items} at={contextInstant(params.range)} onSelect={onSelect} />}
    </QueryState>
  );
}

function SankeyChart({
  items,
  at,
  onSelect,
}: {
  items: TopItem[];
  at: string | undefined;
  onSelect?: (field: string, value: string) => void;
}) {
  const addresses = items.flatMap((item) => {
    const [src, , dst] = item.key.split(' -> ');
    return [src, dst].filter((a) => a && a !== '-');
  });
  const infos = useAddressInfos(addresses, at);
  const option = useMemo(() => {
    const { nodes, links } = sankeyData(items);
    return {
      tooltip: { trigger: 'item', valueFormatter: (v: number) => formatBytes(v) },
      series: [
        {
          type: 'sankey',
          data: nodes,
          links,
          nodeAlign: 'justify',
          emphasis: { focus: 'adjacency' },
          label: { formatter: (p: { name: string }) => sankeyLabel(p.name, infos) },
          lineStyle: { color: 'gradient', opacity: 0.35 },
        },
      ],
    };
  }, [items, infos]);
  return (
    <Chart
      option={option}
      height={Math.max(360, Math.min(items.length * 22, 640))}
      label="Sankey of source, destination port and destination by bytes"
      onClick={(click) => {
        if (click.dataType !== 'node' || !onSelect) return;
        const space = click.name.indexOf(' ');
        const value = click.name.slice(space + 1);
        if (value !== '-') onSelect(click.name.slice(0, space), value);
      }}
    />
  );
}
