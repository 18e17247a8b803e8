import { Alert, Button, Divider, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { oidcUrl, useProviders, useSignIn } from '../api/sign-in';

/** Email and password, and single sign-on when FlowLens has a provider configured. */
export function SignInForm({ returnUrl, onSignedIn }: { returnUrl: string; onSignedIn: () => void }) {
  const providers = useProviders();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: onSignedIn });
  };

  return (
    <Stack>
      {providers.data?.oidc && (
        <>
          <Button component="a" href={oidcUrl(returnUrl)} variant="default">
            Sign in with {providers.data.oidc}
          </Button>
          {providers.data.local && <Divider label="or" labelPosition="center" />}
        </>
      )}
      {(providers.data?.local ?? true) && (
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {signIn.isError && (
              <Alert color="red" role="alert" variant="light">
                {signIn.error.message}
              </Alert>
            )}
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
