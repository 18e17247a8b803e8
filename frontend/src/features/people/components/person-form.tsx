import { Alert, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useFormFields } from '@/lib/form-fields';
import { formFieldOf, RoleScopeFields } from '@/components/ui/role-scope-fields';
import { ApiError } from '@/lib/api-client';
import { splitIds } from '@/lib/format';
import { useSavePerson, type Person } from '../api/people';

type Form = { email: string; role: 'viewer' | 'admin'; password: string; accounts: string; vpcs: string };

/**
 * Invites a person (email, role, first password, what they may read) or changes one: role, scope, a new password.
 * Any change ends the person's sessions at once (the API does).
 */
export function PersonForm({ person, onDone }: { person: Person | null; onDone: () => void }) {
  const {
    form,
    setForm,
    errors,
    setErrors,
    bind: text,
  } = useFormFields<Form>({
    email: person?.email ?? '',
    role: person?.role === 'admin' ? 'admin' : 'viewer',
    password: '',
    accounts: (person?.scope.accounts ?? []).join(', '),
    vpcs: (person?.scope.vpcs ?? []).join(', '),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const save = useSavePerson();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (person === null && !form.email.includes('@')) local.email = 'An email address is required.';
    if (person === null && form.password.length < 12) local.password = 'A first password of at least 12 characters.';
    setErrors(local);
    setProblem(null);
    if (Object.keys(local).length > 0) return;
    const scope =
      form.role === 'admin'
        ? { accounts: [], vpcs: [] }
        : { accounts: splitIds(form.accounts), vpcs: splitIds(form.vpcs) };
    save.mutate(
      {
        id: person?.id ?? null,
        request: { email: person ? null : form.email.trim(), role: form.role, password: form.password || null, scope },
      },
      {
        onSuccess: onDone,
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields)
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [formFieldOf(k), v.join(' ')])));
          else setProblem(e instanceof ApiError ? (e.problem.detail ?? e.problem.title ?? e.message) : e.message);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Email"
          required
          disabled={person !== null}
          placeholder="alice@example.org"
          {...text('email')}
        />
        <RoleScopeFields
          value={form}
          onChange={(change) => setForm((f) => ({ ...f, ...change }))}
          errors={errors}
          who="they"
        />
        <PasswordInput
          label={person ? 'New password' : 'First password'}
          description={person ? 'Empty: unchanged' : 'At least 12 characters; they change it from their menu'}
          {...text('password')}
        />
        {problem && (
          <Alert color="red" role="alert" variant="light">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {person ? 'Save' : 'Invite'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
