import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import { NetworkForm } from '@/features/networks/components/network-form';
import { NetworkList } from '@/features/networks/components/network-list';
import type { Network } from '@/types/api';
import { useSignedIn } from './layout';

/** Your networks: CIDR blocks with a name, role and tenant; the most specific one names an address. Admins edit them. */
export function NetworksRoute() {
  const me = useSignedIn();
  const isAdmin = me.role === 'admin';
  const [editing, setEditing] = useState<Network | null | 'new'>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Networks</Title>
        {isAdmin && <Button onClick={() => setEditing('new')}>Add network</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        An address takes the name of the most specific network that holds it: 10.0.3.7 is prod-db when 10.0.3.0/24 is
        prod-db inside 10.0.0.0/16 = prod.
      </Text>
      <Panel title="Networks">
        <NetworkList isAdmin={isAdmin} onEdit={setEditing} />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add a network' : 'Edit the network'}
      >
        {editing !== null && (
          <NetworkForm
            network={editing === 'new' ? null : editing}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
