import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundRoute() {
  return (
    <Stack>
      <Title order={2}>Not found</Title>
      <Text>
        Nothing lives at this address.{' '}
        <Anchor component={Link} to="/">
          Back to the overview
        </Anchor>
      </Text>
    </Stack>
  );
}
