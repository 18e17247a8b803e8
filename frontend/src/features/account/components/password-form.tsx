import { Alert, Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useFormFields } from '@/lib/form-fields';
import { ApiError } from '@/lib/api-client';
import { useChangePassword } from '../api/account';

const empty = { current: '', next: '', again: '' };

/** The person's own password: the current one, then a new one twice. Their other browsers are signed out. */
export function PasswordForm() {
  const { form, setForm, setErrors, bind: field } = useFormFields(empty);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const change = useChangePassword();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (form.current === '') local.current = 'Your current password is required.';
    if (form.next.length < 12) local.next = 'At least 12 characters.';
    else if (form.next !== form.again) local.again = 'The two new passwords differ.';
    setErrors(local);
    setMessage(null);
    if (Object.keys(local).length > 0) return;
    change.mutate(
      { currentPassword: form.current, newPassword: form.next },
      {
        onSuccess: () => {
          setForm(empty);
          setMessage({ ok: true, text: 'Password changed. Your other browsers are signed out.' });
        },
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields?.currentPassword || fields?.newPassword)
            setErrors({ current: fields.currentPassword?.join(' ') ?? '', next: fields.newPassword?.join(' ') ?? '' });
          else setMessage({ ok: false, text: e.message });
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Change your password">
      <Stack gap="sm" maw={420}>
        <PasswordInput label="Current password" autoComplete="current-password" {...field('current')} />
        <PasswordInput label="New password" autoComplete="new-password" {...field('next')} />
        <PasswordInput label="New password again" autoComplete="new-password" {...field('again')} />
        {message && (
          <Alert color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'} variant="light">
            {message.text}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={change.isPending}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
