import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api-client';

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'sm' });

// A 4xx will not change by asking again; network trouble and 5xx may.
const retry = (failures: number, error: Error) => failures < 2 && !(error instanceof ApiError && error.status < 500);

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry } } }));
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}
