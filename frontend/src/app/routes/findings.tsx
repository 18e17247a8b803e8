import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Panel } from '@/components/ui/panel';
import { FindingDetails } from '@/features/findings/components/finding-details';
import { FindingsTable } from '@/features/findings/components/findings-table';
import { DeliveryLog } from '@/features/notifications/components/delivery-log';
import { useRules } from '@/features/rules/api/rules';
import { urlOfSearch } from '@/features/searches/lib/search-url';
import { NotFoundRoute } from './not-found';

/** What the rules found: filter, page, select and acknowledge or resolve; each finding opens on its own page. */
export function FindingsRoute() {
  const rules = useRules();
  return (
    <Stack>
      <Title order={2}>Findings</Title>
      <Text size="sm" c="dimmed">
        What the detection rules found, most recently seen first. Anyone signed in may acknowledge, resolve, mute and
        assign them; the{' '}
        <Anchor component={Link} to="/rules">
          rules
        </Anchor>{' '}
        are the admins'.
      </Text>
      <Panel title="Findings">
        <FindingsTable rules={rules.data ?? []} />
      </Panel>
    </Stack>
  );
}

/** One finding (notifications link here: {PublicUrl}/findings/{id}), its evidence in the explorer and its deliveries. */
export function FindingRoute() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id <= 0) return <NotFoundRoute />;
  return (
    <Stack>
      <Anchor component={Link} to="/findings" size="sm">
        ← All findings
      </Anchor>
      <FindingDetails
        id={id}
        // The evidence opens as a saved search would: the explorer, on exactly its filter and range.
        explorerUrl={(e) =>
          urlOfSearch({ view: 'explorer', filter: e.filter, from: e.from, to: e.to, viewState: null })
        }
      >
        <Panel title="Notifications sent">
          <DeliveryLog findingId={id} />
        </Panel>
      </FindingDetails>
    </Stack>
  );
}
