import { Stack, Title } from '@mantine/core';
import { Navigate } from 'react-router';
import { AuditLog } from '@/features/audit/components/audit-log';
import { useSignedIn } from './layout';

/** The audit log: admins only (the API refuses everyone else). */
export function AuditRoute() {
  const me = useSignedIn();
  if (me.role !== 'admin') return <Navigate to="/" replace />;
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <AuditLog />
    </Stack>
  );
}
