import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A secret FlowLens shows this once (an API key, a Firehose access key): what to do with it, then the value with a
 * copy button.
 */
export function ShownOnce({
  title,
  label,
  value,
  testId,
  children,
}: {
  title: string;
  label?: string;
  value: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Alert color="yellow" variant="light" title={title}>
      <Stack gap="xs">
        {children}
        <Group gap="xs">
          {label && <Text size="sm">{label}</Text>}
          <Code data-testid={testId}>{value}</Code>
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}
