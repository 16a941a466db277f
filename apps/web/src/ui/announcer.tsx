import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';

type Tone = 'success' | 'error';
const AnnounceContext = createContext<(message: string, tone?: Tone) => void>(() => {});

/** One polite live region for results of actions ("Invitation sent"), shown as a short toast. */
export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [note, setNote] = useState<{ message: string; tone: Tone } | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const announce = useCallback((message: string, tone: Tone = 'success') => {
    window.clearTimeout(timer.current);
    setNote({ message, tone });
    timer.current = window.setTimeout(() => setNote(null), 5000);
  }, []);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="toast-region" aria-live="polite" role="status">
        {note && <div className={`toast toast-${note.tone}`}>{note.message}</div>}
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce() {
  return useContext(AnnounceContext);
}
