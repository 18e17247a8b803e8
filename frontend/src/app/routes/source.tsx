import { Anchor, Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Panel } from '@/components/ui/panel';
import { QueryState } from '@/components/ui/states';
import { useSource, useSyncSource } from '@/features/sources/api/sources';
import { ObjectLedger } from '@/features/sources/components/object-ledger';
import { StateBadge } from '@/features/sources/components/source-state';
import { formatAgo, formatCount, formatTime } from '@/lib/format';
import type { Source } from '@/types/api';
import { useSignedIn } from './layout';

/** One source: its status and its ledger of objects, failed ones with their reasons. */
export function SourceRoute() {
  const id = Number(useParams().id);
  const me = useSignedIn();
  const source = useSource(id);
  const sync = useSyncSource();
  return (
    <Stack>
      <Anchor component={Link} to="/sources" size="sm">
        ← Sources
      </Anchor>
      <QueryState query={source}>
        {(s) => (
          <Stack>
            <Group justify="space-between">
              <Group>
                <Title order={2}>{s.name}</Title>
                <StateBadge state={s.status.state} />
              </Group>
              {me.role === 'admin' && s.kind !== 'firehose' && (
                <Button onClick={() => sync.mutate(s.id)} loading={sync.isPending}>
                  Sync now
                </Button>
              )}
            </Group>
            {s.status.lastError && (
              <Text c="red" size="sm" role="alert">
                Last run: {s.status.lastError}
              </Text>
            )}
            <SimpleGrid cols={{ base: 2, md: 5 }}>
              <Fact label="Records" value={formatCount(s.status.recordsIngested)} />
              <Fact label="Rejected lines" value={formatCount(s.status.recordsRejected)} />
              <Fact label="Objects ingested" value={formatCount(s.status.objectsIngested)} />
              <Fact label="Objects failed" value={formatCount(s.status.objectsFailed)} />
              <Fact
                label="Newest record"
                value={formatAgo(s.status.newestRecordAt)}
                title={formatTime(s.status.newestRecordAt)}
              />
            </SimpleGrid>
            <Text size="sm" c="dimmed">
              {s.kind === 'firehose' ? (
                <>
                  firehose · its stream delivers to <code>/api/ingest/firehose</code>, each request a ledger row · last
                  request stored {formatAgo(s.status.lastRunFinishedAt)}
                </>
              ) : (
                <>
                  {s.kind} · schedule <code>{s.schedule}</code> (UTC) · last run finished{' '}
                  {formatAgo(s.status.lastRunFinishedAt)}
                </>
              )}
            </Text>
            <InventoryLine inventory={s.status.inventory} />
            <Panel title="Object ledger">
              {/* A refused Firehose request is not kept: Firehose retries it, then backs it up to S3. */}
              <ObjectLedger sourceId={s.id} canRetry={me.role === 'admin' && s.kind !== 'firehose'} />
            </Panel>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

/** The AWS inventory that names the source's addresses: how its last run went, and why context is missing if it is. */
function InventoryLine({ inventory }: { inventory: Source['status']['inventory'] }) {
  const { state, counts, error, lastRunAt } = inventory;
  return (
    <Text size="sm" c={state === 'denied' || state === 'failed' ? 'orange' : 'dimmed'} aria-label="AWS inventory">
      AWS inventory: {state}
      {state !== 'disabled' && lastRunAt && (
        <>
          {' '}
          · {formatCount(counts.interfaces)} interfaces, {formatCount(counts.addresses)} addresses,{' '}
          {formatCount(counts.resources)} resources · read {formatAgo(lastRunAt)}
        </>
      )}
      {error && <> · {error}</>}
    </Text>
  );
}

function Fact({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div title={title}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={600} aria-label={label}>
        {value}
      </Text>
    </div>
  );
}
