import { Alert, Button, Group, PasswordInput, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '@/lib/api-client';
import { useSaveChannel, type Channel, type ChannelRequest } from '../api/channels';

type Form = {
  name: string;
  kind: string;
  enabled: boolean;
  url: string;
  signingSecret: string;
  format: string;
  host: string;
  port: string;
  security: string;
  username: string;
  password: string;
  from: string;
  to: string;
};

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/**
 * Adds or edits a channel. Secret fields (URLs, signing secret, SMTP password) are write-only: the API never returns
 * them, so they start empty, and left empty they keep what is stored.
 */
export function ChannelForm({
  channel,
  onSaved,
  onCancel,
}: {
  channel: Channel | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<Form>({
    name: channel?.name ?? '',
    kind: channel?.kind ?? 'webhook',
    enabled: channel?.enabled ?? true,
    url: '',
    signingSecret: '',
    format: channel?.webhook?.format ?? 'flowlens',
    host: channel?.email?.host ?? '',
    port: channel?.email ? String(channel.email.port) : '',
    security: channel?.email?.security ?? 'starttls',
    username: channel?.email?.username ?? '',
    password: '',
    from: channel?.email?.from ?? '',
    to: channel?.email?.to.join(', ') ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useSaveChannel();
  const text = (key: keyof Form, apiField = key as string) => ({
    value: form[key] as string,
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
    error: errors[apiField.toLowerCase()],
  });
  const stored = (set: boolean | undefined) => (set ? 'Stored; leave empty to keep it' : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const request: ChannelRequest = { name: form.name.trim(), kind: form.kind, enabled: form.enabled };
    if (form.kind === 'webhook')
      request.webhook = { url: orNull(form.url), signingSecret: orNull(form.signingSecret), format: form.format };
    if (form.kind === 'slack') request.slack = { url: orNull(form.url) };
    if (form.kind === 'email')
      request.email = {
        host: form.host.trim(),
        port: form.port.trim() === '' ? null : Number(form.port),
        security: form.security,
        username: orNull(form.username),
        password: form.password === '' ? null : form.password,
        from: form.from.trim(),
        to: form.to
          .split(/[,\s]+/)
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      };
    setErrors({});
    save.mutate(
      { id: channel?.id ?? null, request },
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
        <TextInput label="Name" required placeholder="security-team" {...text('name')} />
        <Select
          label="Kind"
          data={[
            { value: 'webhook', label: 'Webhook (signed JSON)' },
            { value: 'slack', label: 'Slack incoming webhook' },
            { value: 'email', label: 'Email (SMTP)' },
          ]}
          value={form.kind}
          disabled={channel !== null}
          allowDeselect={false}
          onChange={(kind) => setForm((f) => ({ ...f, kind: kind ?? f.kind }))}
          error={errors.kind}
        />
        <Switch
          label="Enabled"
          checked={form.enabled}
          onChange={(e) => {
            const enabled = e.currentTarget.checked;
            setForm((f) => ({ ...f, enabled }));
          }}
        />
        {form.kind === 'webhook' && (
          <>
            <PasswordInput
              label="URL"
              placeholder={stored(channel?.webhook?.urlSet) ?? 'https://hooks.example.org/flowlens'}
              {...text('url', 'webhook.url')}
            />
            <PasswordInput
              label="Signing secret"
              description="The HMAC-SHA256 key of X-FlowLens-Signature (16 characters or more)"
              placeholder={stored(channel?.webhook?.signingSecretSet)}
              {...text('signingSecret', 'webhook.signingSecret')}
            />
            <Select
              label="Format"
              data={[
                { value: 'flowlens', label: 'FlowLens JSON' },
                { value: 'ocsf', label: 'OCSF Detection Finding (2004)' },
              ]}
              value={form.format}
              allowDeselect={false}
              onChange={(format) => setForm((f) => ({ ...f, format: format ?? f.format }))}
              error={errors['webhook.format']}
            />
          </>
        )}
        {form.kind === 'slack' && (
          <PasswordInput
            label="Incoming-webhook URL"
            placeholder={stored(channel?.slack?.urlSet) ?? 'https://hooks.slack.com/services/…'}
            {...text('url', 'slack.url')}
          />
        )}
        {form.kind === 'email' && (
          <>
            <Group grow>
              <TextInput label="SMTP host" placeholder="smtp.example.org" {...text('host', 'email.host')} />
              <TextInput label="Port" placeholder="587" {...text('port', 'email.port')} />
            </Group>
            <Select
              label="Security"
              data={[
                { value: 'starttls', label: 'STARTTLS' },
                { value: 'tls', label: 'TLS' },
                { value: 'none', label: 'None (loopback host only)' },
              ]}
              value={form.security}
              allowDeselect={false}
              onChange={(security) => setForm((f) => ({ ...f, security: security ?? f.security }))}
              error={errors['email.security']}
            />
            <Group grow>
              <TextInput label="Username" {...text('username', 'email.username')} />
              <PasswordInput
                label="Password"
                placeholder={stored(channel?.email?.passwordSet)}
                {...text('password', 'email.password')}
              />
            </Group>
            <TextInput label="From" placeholder="flowlens@example.org" {...text('from', 'email.from')} />
            <TextInput label="To" placeholder="soc@example.org, oncall@example.org" {...text('to', 'email.to')} />
          </>
        )}
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
            {channel ? 'Save' : 'Add channel'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
