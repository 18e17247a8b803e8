import { Stack, Text, Title } from '@mantine/core';
import { Navigate } from 'react-router';
import { SettingsView } from '@/features/settings/components/settings-view';
import { useSignedIn } from './layout';

/** Versions and effective settings, read-only: admins only (the API refuses everyone else). */
export function SettingsRoute() {
  const me = useSignedIn();
  if (me.role !== 'admin') return <Navigate to="/" replace />;
  return (
    <Stack>
      <Title order={2}>Settings</Title>
      <Text size="sm" c="dimmed">
        As this node runs: set in appsettings.json or as environment variables (FlowLens__Retention__Days for
        FlowLens:Retention:Days). Secrets are shown only as set or not.
      </Text>
      <SettingsView />
    </Stack>
  );
}
