import { useState, type FormEvent } from 'react';

/** Asks for an API key; the dashboard's sign-in for people comes with user accounts. */
export function ApiKeyForm({ onSubmit, error }: { onSubmit: (key: string) => void; error?: string }) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) onSubmit(key.trim());
  };
  return (
    <form className="card" onSubmit={submit}>
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        placeholder="X-Api-Key"
      />
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  );
}
