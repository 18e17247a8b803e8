import { WhoAmI } from '@/features/auth/components/who-am-i';

export function HomeRoute() {
  return (
    <main>
      <WhoAmI />
      <section className="card">
        <h2>VPC Flow Logs</h2>
        <p>
          FlowLens reads AWS VPC Flow Logs from S3 and CloudWatch Logs into PostgreSQL. The API is described at{' '}
          <a href="/swagger">/swagger</a>.
        </p>
      </section>
    </main>
  );
}
