import { AccountRoute } from './routes/account';
import { AuditRoute } from './routes/audit';
import { createBrowserRouter } from 'react-router';
import { ExplorerRoute } from './routes/explorer';
import { FindingRoute, FindingsRoute } from './routes/findings';
import { KeysRoute } from './routes/keys';
import { Layout } from './routes/layout';
import { NetworksRoute } from './routes/networks';
import { NotificationsRoute } from './routes/notifications';
import { NotFoundRoute } from './routes/not-found';
import { PeopleRoute } from './routes/people';
import { OverviewRoute } from './routes/overview';
import { RejectionsRoute } from './routes/rejections';
import { RulesRoute } from './routes/rules';
import { SettingsRoute } from './routes/settings';
import { SignInRoute } from './routes/sign-in';
import { SourceRoute } from './routes/source';
import { SourcesRoute } from './routes/sources';
import { ThreatListsRoute } from './routes/threat-lists';
import { TrafficPathsRoute } from './routes/traffic-paths';
import { TransitGatewayRoute } from './routes/transit-gateway';

export const routes = [
  { path: '/sign-in', element: <SignInRoute /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewRoute /> },
      { path: 'rejections', element: <RejectionsRoute /> },
      { path: 'explorer', element: <ExplorerRoute /> },
      { path: 'traffic-paths', element: <TrafficPathsRoute /> },
      { path: 'transit-gateway', element: <TransitGatewayRoute /> },
      { path: 'findings', element: <FindingsRoute /> },
      { path: 'findings/:id', element: <FindingRoute /> },
      { path: 'rules', element: <RulesRoute /> },
      { path: 'sources', element: <SourcesRoute /> },
      { path: 'sources/:id', element: <SourceRoute /> },
      { path: 'networks', element: <NetworksRoute /> },
      { path: 'threat-lists', element: <ThreatListsRoute /> },
      { path: 'notifications', element: <NotificationsRoute /> },
      { path: 'people', element: <PeopleRoute /> },
      { path: 'keys', element: <KeysRoute /> },
      { path: 'audit', element: <AuditRoute /> },
      { path: 'settings', element: <SettingsRoute /> },
      { path: 'account', element: <AccountRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
