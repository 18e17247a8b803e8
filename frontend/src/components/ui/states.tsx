import { Alert, Center, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

interface QueryStateProps<T> {
  query: UseQueryResult<T>;
  /** True when the answer has nothing to show. */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  minHeight?: number;
  children: (data: T) => ReactNode;
}

/** A query's loading, error and empty states, the same on every screen; the children draw the data. */
export function QueryState<T>({ query, isEmpty, empty, minHeight = 80, children }: QueryStateProps<T>) {
  if (query.isPending) {
    return (
      <Center mih={minHeight}>
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  }
  if (query.isError) return <ErrorState error={query.error} />;
  if (isEmpty?.(query.data)) {
    return (
      <Center mih={minHeight}>
        <Text c="dimmed" size="sm">
          {empty ?? 'Nothing in this time range for this filter.'}
        </Text>
      </Center>
    );
  }
  return <>{children(query.data)}</>;
}

export function ErrorState({ error }: { error: Error }) {
  return (
    <Alert color="red" title="Could not load this" role="alert" variant="light">
      {error.message}
    </Alert>
  );
}
