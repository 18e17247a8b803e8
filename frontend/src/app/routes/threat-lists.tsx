import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import type { ThreatList } from '@/features/threat-lists/api/threat-lists';
import { ThreatListForm } from '@/features/threat-lists/components/threat-list-form';
import { ThreatListTable } from '@/features/threat-lists/components/threat-list-table';
import { useSignedIn } from './layout';

/** Threat lists: named IP/CIDR lists, uploaded or fetched daily, that filters (threat-list = name) and detections use. */
export function ThreatListsRoute() {
  const me = useSignedIn();
  const isAdmin = me.role === 'admin';
  const [editing, setEditing] = useState<ThreatList | null | 'new'>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Threat lists</Title>
        {isAdmin && <Button onClick={() => setEditing('new')}>Create list</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        One address or CIDR block a line; # and ; start comments (Spamhaus DROP and FireHOL .netset files work as they
        are). Filter flows with threat-list = name, src-threat-list or dst-threat-list.
      </Text>
      <Panel title="Threat lists">
        <ThreatListTable isAdmin={isAdmin} onEdit={setEditing} />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Create a threat list' : 'Edit the threat list'}
      >
        {editing !== null && (
          <ThreatListForm
            list={editing === 'new' ? null : editing}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
