import { Button, Grid, Group, MultiSelect, Select, Stack, Title } from '@mantine/core';
import { Panel } from '@/components/ui/panel';
import { exportUrl } from '@/features/flows/api/get-flows';
import { FlowTable } from '@/features/flows/components/flow-table';
import { FlowSankey } from '@/features/stats/components/flow-sankey';
import { TopList } from '@/features/stats/components/top-list';
import { defaultColumns, flowFields } from '@/features/flows/lib/columns';
import { useDrillDown } from './drill-down';

const groupFields = flowFields
  .filter((f) => f.name !== 'start' && f.name !== 'end' && f.name !== 'packets' && f.name !== 'bytes')
  .map((f) => f.name);

/** Flows themselves: the filter, a table with chosen columns, a group-by, a sankey and the CSV export. */
export function ExplorerRoute() {
  const { view, params, narrow } = useDrillDown();
  const columns = view.params.get('cols')?.split(',').filter(Boolean) ?? defaultColumns;
  const by = view.params.get('by');
  if (!params) return null;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Explorer</Title>
        <Button component="a" href={exportUrl(params)} download="flows.csv" variant="light">
          Export CSV
        </Button>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Panel
            title={by ? `Top ${by}` : 'Group by'}
            actions={
              <Select
                size="xs"
                w={200}
                aria-label="Group by"
                placeholder="Choose a field"
                searchable
                clearable
                data={groupFields}
                value={by}
                onChange={(value) => view.update({ by: value })}
              />
            }
          >
            {by ? (
              <TopList params={params} by={by} limit={20} onSelect={narrow(by)} />
            ) : (
              <Group c="dimmed">Choose a field to see its top values.</Group>
            )}
          </Panel>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Panel title="Source → destination port → destination (bytes)">
            <FlowSankey params={params} onSelect={(field, value) => narrow(field)(value)} />
          </Panel>
        </Grid.Col>
      </Grid>
      <Panel
        title="Flows"
        actions={
          <MultiSelect
            size="xs"
            aria-label="Columns"
            w={420}
            data={flowFields.map((f) => f.name)}
            value={columns}
            onChange={(value) =>
              view.update({
                cols: value.length === 0 || value.join(',') === defaultColumns.join(',') ? null : value.join(','),
              })
            }
            searchable
            maxValues={16}
          />
        }
      >
        <FlowTable params={params} columns={columns} />
      </Panel>
    </Stack>
  );
}
