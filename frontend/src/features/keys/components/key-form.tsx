import { Button, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useFormFields } from '@/lib/form-fields';
import { ShownOnce } from '@/components/ui/shown-once';
import { formFieldOf, RoleScopeFields } from '@/components/ui/role-scope-fields';
import { ApiError } from '@/lib/api-client';
import { splitIds, utcInstant } from '@/lib/format';
import { useCreateKey, type CreatedKey } from '../api/keys';

type Form = { name: string; role: 'viewer' | 'admin'; accounts: string; vpcs: string; expires: string };

/** Creates an API key for a tool: its role, what it may read, when it expires; then shows its secret, this once. */
export function KeyForm({ onDone }: { onDone: () => void }) {
  const {
    form,
    setForm,
    errors,
    setErrors,
    bind: text,
  } = useFormFields<Form>({ name: '', role: 'viewer', accounts: '', vpcs: '', expires: '' });
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useCreateKey();

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
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [formFieldOf(k), v.join(' ')])));
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
        <RoleScopeFields
          value={form}
          onChange={(change) => setForm((f) => ({ ...f, ...change }))}
          errors={errors}
          who="it"
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
