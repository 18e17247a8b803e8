import { HealthBadge } from '@/features/health/components/health-badge';
import { AppProvider } from './provider';
import { HomeRoute } from './routes/home';

export function App() {
  return (
    <AppProvider>
      <header>
        <h1>FlowLens</h1>
        <HealthBadge />
      </header>
      <HomeRoute />
    </AppProvider>
  );
}
