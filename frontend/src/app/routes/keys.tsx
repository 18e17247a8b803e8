import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { Panel } from '@/components/ui/panel';
import { KeyForm } from '@/features/keys/components/key-form';
import { KeyList } from '@/features/keys/components/key-list';
import { useSignedIn } from './layout';

/** API keys for tools: admins only (the API refuses everyone else). */
export function KeysRoute() {
  const me = useSignedIn();
  const [creating, setCreating] = useState(false);
  if (me.role !== 'admin') return <Navigate to="/" replace />;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>API keys</Title>
        <Button onClick={() => setCreating(true)}>Create key</Button>
      </Group>
      <Text size="sm" c="dimmed">
        A tool sends its key in the X-Api-Key header. A viewer key may be limited to some accounts and VPCs; a revoked
        key gets 401 at once.
      </Text>
      <Panel title="Keys">
        <KeyList />
      </Panel>
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create an API key">
        <KeyForm onDone={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}
