import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import type { Channel } from '@/features/notifications/api/channels';
import { ChannelForm } from '@/features/notifications/components/channel-form';
import { ChannelList } from '@/features/notifications/components/channel-list';
import { useSignedIn } from './layout';

/** Notification channels: where findings are sent (webhook, Slack, email). Admins edit and test them. */
export function NotificationsRoute() {
  const me = useSignedIn();
  const isAdmin = me.role === 'admin';
  const [editing, setEditing] = useState<Channel | null | 'new'>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Notifications</Title>
        {isAdmin && <Button onClick={() => setEditing('new')}>Add channel</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Findings are sent to these channels: a signed JSON webhook (or OCSF), a Slack incoming webhook, or email. Failed
        deliveries are retried with growing delays. {!isAdmin && 'Only admins see and change their settings.'}
      </Text>
      <Panel title="Channels">
        <ChannelList isAdmin={isAdmin} onEdit={setEditing} />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add a channel' : 'Edit the channel'}
      >
        {editing !== null && (
          <ChannelForm
            channel={editing === 'new' ? null : editing}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
