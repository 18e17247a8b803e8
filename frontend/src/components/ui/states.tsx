import { Alert, Center, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** What this needs of a query: a TanStack query or infinite query result. */
interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  data: T | undefined;
}

interface QueryStateProps<T> {
  query: QueryLike<T>;
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
  if (query.isError) return <ErrorState error={query.error!} />;
  const data = query.data as T;
  if (isEmpty?.(data)) {
    return (
      <Center mih={minHeight}>
        <Text c="dimmed" size="sm">
          {empty ?? 'Nothing in this time range for this filter.'}
        </Text>
      </Center>
    );
  }
  return <>{children(data)}</>;
}

export function ErrorState({ error }: { error: Error }) {
  return (
    <Alert color="red" title="Could not load this" role="alert" variant="light">
      {error.message}
    </Alert>
  );
}
