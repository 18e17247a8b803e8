import { Button, Code, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ShownOnce } from '@/components/ui/shown-once';
import { ApiError } from '@/lib/api-client';
import { splitIds, utcInstant } from '@/lib/format';
import { useCreateKey, type CreatedKey } from '../api/keys';

type Form = { name: string; role: 'viewer' | 'admin'; accounts: string; vpcs: string; expires: string };

/** The API's field names (`name`, `scope.accounts`...) as the form's. */
const formField = (key: string) =>
  ({ 'scope.accounts': 'accounts', 'scope.vpcs': 'vpcs', scope: 'accounts', expiresat: 'expires' })[
    key.toLowerCase()
  ] ?? key.toLowerCase();

/** Creates an API key for a tool: its role, what it may read, when it expires; then shows its secret, this once. */
export function KeyForm({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState<Form>({ name: '', role: 'viewer', accounts: '', vpcs: '', expires: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useCreateKey();
  const text = (key: keyof Form) => ({
    value: form[key],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
    error: errors[key],
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = utcInstant(form.expires);
    const local: Record<string, string> = {};
    if (!form.name.trim()) local.name = 'A name is required, such as siem-export.';
    if (expiresAt === undefined) local.expires = 'Write the time as 2027-01-01T00:00 (UTC), or leave it empty.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    create.mutate(
      {
        name: form.name.trim(),
        role: form.role,
        expiresAt: expiresAt ?? null,
        scope: { accounts: splitIds(form.accounts), vpcs: splitIds(form.vpcs) },
      },
      {
        onSuccess: setCreated,
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields)
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [formField(k), v.join(' ')])));
        },
      },
    );
  };

  if (created)
    return (
      <Stack gap="sm">
        <ShownOnce title="Copy the key now: it is not shown again" value={created.secret} testId="created-secret">
          <Text size="sm">
            {created.name} sends it in the <Code>X-Api-Key</Code> header.
          </Text>
        </ShownOnce>
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput label="Name" required placeholder="siem-export" {...text('name')} />
        <Select
          label="Role"
          data={[
            { value: 'viewer', label: 'viewer: reads' },
            { value: 'admin', label: 'admin: reads and changes everything' },
          ]}
          value={form.role}
          onChange={(role) => setForm((f) => ({ ...f, role: role === 'admin' ? 'admin' : 'viewer' }))}
          allowDeselect={false}
          error={errors.role}
        />
        <TextInput
          label="Accounts it may read"
          description="AWS account ids, separated by commas; with no VPCs either, it reads everything"
          placeholder="111122223333, 444455556666"
          disabled={form.role === 'admin'}
          {...text('accounts')}
        />
        <TextInput
          label="VPCs it may read"
          description="VPC ids: records of these VPCs too (their vpc-id field)"
          placeholder="vpc-0a1b2c3d4e5f60708"
          disabled={form.role === 'admin'}
          {...text('vpcs')}
        />
        <TextInput
          label="Expires (UTC)"
          placeholder="2027-01-01T00:00"
          description="Empty: never"
          {...text('expires')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
