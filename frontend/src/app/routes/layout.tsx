import {
  ActionIcon,
  AppShell,
  Burger,
  Center,
  Group,
  Loader,
  NavLink,
  Stack,
  Text,
  Title,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Navigate, Outlet, useLocation, useNavigate, useOutletContext } from 'react-router';
import { ErrorState } from '@/components/ui/states';
import { TimeRangePicker } from '@/components/ui/time-range-picker';
import { useMe } from '@/features/auth/api/get-me';
import { UserMenu } from '@/features/auth/components/user-menu';
import { FilterInput } from '@/features/filter/components/filter-input';
import { HealthBadge } from '@/features/health/components/health-badge';
import { SearchesMenu } from '@/features/searches/components/searches-menu';
import { searchOfLocation } from '@/features/searches/lib/search-url';
import { ApiError } from '@/lib/api-client';
import { useViewState } from '@/lib/view-state';
import type { Me } from '@/types/api';

const views = [
  { path: '/', label: 'Overview', data: true },
  { path: '/rejections', label: 'Rejections', data: true },
  { path: '/explorer', label: 'Explorer', data: true },
  { path: '/traffic-paths', label: 'Traffic paths', data: true },
  { path: '/transit-gateway', label: 'Transit Gateway', data: true },
  { path: '/findings', label: 'Findings', data: false },
  { path: '/rules', label: 'Rules', data: false },
  { path: '/sources', label: 'Sources', data: false },
  { path: '/networks', label: 'Networks', data: false },
  { path: '/threat-lists', label: 'Threat lists', data: false },
  { path: '/notifications', label: 'Notifications', data: false },
  { path: '/people', label: 'People', data: false, admin: true },
  { path: '/keys', label: 'API keys', data: false, admin: true },
  { path: '/audit', label: 'Audit log', data: false, admin: true },
  { path: '/settings', label: 'Settings', data: false, admin: true },
];

/** What the views below the layout get: who is signed in. */
export const useSignedIn = () => useOutletContext<Me>();

/** The frame of every signed-in view: navigation, the shared time range and filter, the user menu. */
export function Layout() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const view = useViewState();
  const [opened, { toggle, close }] = useDisclosure();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');

  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      const returnUrl = location.pathname + location.search;
      return <Navigate to={`/sign-in?returnUrl=${encodeURIComponent(returnUrl)}`} replace />;
    }
    return (
      <Center mih="100vh" p="md">
        <ErrorState error={me.error} />
      </Center>
    );
  }

  const current = views.find((v) => v.path === location.pathname);
  const search = searchOfLocation(location.pathname, view.params);
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Title order={1} size="h3">
              FlowLens
            </Title>
            <HealthBadge />
          </Group>
          <Group gap="sm">
            <Tooltip label={scheme === 'dark' ? 'Light theme' : 'Dark theme'}>
              <ActionIcon
                variant="default"
                aria-label={scheme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
                onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
              >
                {scheme === 'dark' ? '☀' : '☾'}
              </ActionIcon>
            </Tooltip>
            <UserMenu me={me.data} onSignedOut={() => void navigate('/sign-in')} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Views">
        {views
          .filter((v) => !('admin' in v) || me.data.role === 'admin')
          .map((v) => (
            <NavLink
              key={v.path}
              component={Link}
              to={v.path + (v.data ? view.shared : '')}
              label={v.label}
              active={v.path === '/' ? location.pathname === '/' : location.pathname.startsWith(v.path)}
              onClick={close}
            />
          ))}
        <Text size="xs" c="dimmed" mt="auto" p="xs">
          <a href="/swagger">API</a> · times in UTC
        </Text>
      </AppShell.Navbar>
      <AppShell.Main>
        <Stack gap="md" maw={1600}>
          {current?.data && (
            <Group align="flex-start" gap="xs" wrap="wrap">
              <TimeRangePicker
                from={view.from}
                to={view.to}
                onChange={(from, to) => view.update({ from, to: to === 'now' ? null : to })}
              />
              <Tooltip label="Reload with the newest data">
                <ActionIcon
                  variant="default"
                  size="lg"
                  aria-label="Refresh"
                  onClick={() => view.update({ at: String(Date.now()) })}
                >
                  ↻
                </ActionIcon>
              </Tooltip>
              <div style={{ flex: 1, minWidth: 320 }}>
                <FilterInput value={view.q} onChange={(q) => view.update({ q })} />
              </div>
              {search && <SearchesMenu current={search} onOpen={(url) => void navigate(url)} />}
            </Group>
          )}
          {current?.data && !view.range && (
            <ErrorState error={new Error('The time range is empty or cannot be read.')} />
          )}
          <Outlet context={me.data} />
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}
