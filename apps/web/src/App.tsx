import { useEffect, useState } from 'react';

type Readiness = { status: 'ready' | 'not_ready'; checks: Record<string, 'ok' | 'failed'> };

/** Placeholder shell until the product screens land: shows that the platform and its dependencies are up. */
export function App() {
  const [ready, setReady] = useState<Readiness | 'loading' | 'error'>('loading');

  useEffect(() => {
    fetch('/ready')
      .then((res) => res.json() as Promise<Readiness>)
      .then(setReady)
      .catch(() => setReady('error'));
  }, []);

  return (
    <main
      style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', padding: '0 1rem' }}
    >
      <h1>OpenWABA</h1>
      <p>The open-source WhatsApp Business Platform.</p>
      <section aria-live="polite">
        {ready === 'loading' && <p>Checking the platform…</p>}
        {ready === 'error' && <p role="alert">The platform did not answer.</p>}
        {typeof ready === 'object' && (
          <ul>
            {Object.entries(ready.checks).map(([name, state]) => (
              <li key={name}>
                {name}: <strong>{state}</strong>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p>
        API reference: <a href="/api/docs">/api/docs</a>
      </p>
    </main>
  );
}
