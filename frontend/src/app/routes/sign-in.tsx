import { Card, Center, Stack, Text, Title } from '@mantine/core';
import { useNavigate, useSearchParams } from 'react-router';
import { SignInForm } from '@/features/auth/components/sign-in-form';

// Only paths of this app: never send someone elsewhere after sign-in.
const safeReturn = (url: string | null) => (url && url.startsWith('/') && !url.startsWith('//') ? url : '/');

export function SignInRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnUrl = safeReturn(params.get('returnUrl'));
  return (
    <Center mih="100vh" p="md">
      <Card withBorder w={380} padding="xl" radius="md">
        <Stack gap={4} mb="lg">
          <Title order={1} size="h2">
            FlowLens
          </Title>
          <Text c="dimmed" size="sm">
            Sign in to read your VPC flow logs.
          </Text>
        </Stack>
        <SignInForm returnUrl={returnUrl} onSignedIn={() => void navigate(returnUrl, { replace: true })} />
      </Card>
    </Center>
  );
}
