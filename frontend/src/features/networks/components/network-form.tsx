import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { useFormFields } from '@/lib/form-fields';
import { ApiError } from '@/lib/api-client';
import type { Network } from '@/types/api';
import { useSaveNetwork, type NetworkRequest } from '../api/networks';

type Form = { cidr: string; name: string; role: string; tenant: string };

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/** Adds or edits a named network, with the API's validation (a bad or taken block) shown by its field. */
export function NetworkForm({
  network,
  onSaved,
  onCancel,
}: {
  network: Network | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const {
    form,
    errors,
    setErrors,
    bind: text,
  } = useFormFields<Form>({
    cidr: network?.cidr ?? '',
    name: network?.name ?? '',
    role: network?.role ?? '',
    tenant: network?.tenant ?? '',
  });
  const save = useSaveNetwork();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!form.cidr.trim()) local.cidr = 'A CIDR block such as 10.0.0.0/16 is required.';
    if (!form.name.trim()) local.name = 'A name is required.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const request: NetworkRequest = {
      cidr: form.cidr.trim(),
      name: form.name.trim(),
      role: orNull(form.role),
      tenant: orNull(form.tenant),
    };
    save.mutate(
      { id: network?.id ?? null, request },
      {
        onSuccess: onSaved,
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields)
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v.join(' ')])));
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="CIDR block"
          required
          placeholder="10.0.0.0/16"
          description="IPv4 or IPv6; host bits 0 (10.0.0.0/16, not 10.0.0.1/16)"
          {...text('cidr')}
        />
        <TextInput label="Name" required placeholder="prod" {...text('name')} />
        <TextInput label="Role" placeholder="database" {...text('role')} />
        <TextInput label="Tenant" placeholder="payments team" {...text('tenant')} />
        {save.isError && !(save.error instanceof ApiError && save.error.problem.errors) && (
          <Alert color="red" role="alert" variant="light">
            {save.error.message}
          </Alert>
        )}
        {Object.keys(errors).length > 0 && (
          <Text size="sm" c="red" role="alert">
            Some fields need fixing.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {network ? 'Save' : 'Add network'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
