import { useQueryClient } from '@tanstack/react-query';
import { apiKey, ApiError } from '@/lib/api-client';
import { useMe } from '../api/get-me';
import { ApiKeyForm } from './api-key-form';

/** Shows who the key belongs to, or asks for a key when there is none or it was refused. */
export function WhoAmI() {
  const queryClient = useQueryClient();
  const me = useMe();
  const signIn = (key: string) => {
    apiKey.set(key);
    void queryClient.invalidateQueries();
  };
  const signOut = () => {
    apiKey.clear();
    queryClient.clear();
  };

  if (me.isPending) return <p className="card">Checking your key…</p>;
  if (me.isError) {
    const refused = me.error instanceof ApiError && me.error.problem.status === 401;
    const hadKey = apiKey.get() !== null;
    return <ApiKeyForm onSubmit={signIn} error={refused && !hadKey ? undefined : me.error.message} />;
  }
  return (
    <div className="card">
      Signed in as <strong>{me.data.name}</strong> ({me.data.role}).{' '}
      <button type="button" onClick={signOut}>Sign out</button>
    </div>
  );
}
