import { Stack, Text, Title } from '@mantine/core';
import { Panel } from '@/components/ui/panel';
import { PasswordForm } from '@/features/account/components/password-form';
import { SessionsList } from '@/features/account/components/sessions-list';
import { formatScope } from '@/lib/format';
import { useSignedIn } from './layout';

/** The signed-in person's own page: who they are, what they may read, their password and their sessions. */
export function AccountRoute() {
  const me = useSignedIn();
  return (
    <Stack>
      <Title order={2}>Your account</Title>
      <Text size="sm" c="dimmed">
        {me.name} · {me.role} · reads {formatScope(me.scope)}
      </Text>
      <Panel title="Password">
        <PasswordForm />
      </Panel>
      <Panel title="Sessions">
        <SessionsList />
      </Panel>
    </Stack>
  );
}
