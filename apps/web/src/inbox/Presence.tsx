import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useMe } from '../auth/session';
import { useMembers } from '../settings/queries';
import { live, type PresenceStatus, usePresence, useTypists } from './live';
import { setOwnPresence } from './queries';

const LABEL: Record<PresenceStatus | 'offline', string> = {
  online: 'Online',
  away: 'Away',
  offline: 'Offline',
};

/** A coloured dot with its meaning for screen readers. */
export function PresenceDot({ userId }: { userId: string }) {
  const status = usePresence().get(userId) ?? 'offline';
  return (
    <span className={`presence presence-${status}`} title={LABEL[status]}>
      <span className="sr-only">{LABEL[status]}</span>
    </span>
  );
}

/**
 * The member's own status (away: no automatic assignments) and who of the team is around. Members
 * appear online while they have the inbox open.
 */
export function PresenceBar() {
  const { id: ws } = useWorkspace();
  const me = useMe().data?.user.id;
  const presence = usePresence();
  const members = useMembers(ws);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const mine = me ? presence.get(me) : undefined;
  const team = members.data?.items ?? [];
  const around = team.filter((m) => presence.has(m.userId)).length;

  // Someone who joined after the list was read shows up online: read the team again.
  const refetchMembers = members.refetch;
  const stranger = members.isSuccess && [...presence.keys()].some((id) => !team.some((m) => m.userId === id));
  useEffect(() => {
    if (stranger) void refetchMembers();
  }, [stranger, refetchMembers]);

  async function toggle() {
    if (!me) return;
    const next = mine === 'away' ? 'online' : 'away';
    setSaving(true);
    setError(null);
    try {
      await setOwnPresence(ws, next);
      live.presence(me, next);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="presence-bar">
      {me && (
        <button
          type="button"
          className="presence-toggle"
          onClick={toggle}
          disabled={saving || !mine}
          aria-label={`Your status: ${LABEL[mine ?? 'offline']}. ${mine === 'away' ? 'Set online' : 'Set away'}`}
          title={
            mine === 'away'
              ? 'Back online'
              : 'Away: other members see it, and nothing is assigned to you automatically'
          }
        >
          <PresenceDot userId={me} />
          {mine === 'away' ? 'Away' : 'Online'}
        </button>
      )}
      {team.length > 0 && (
        <details className="team-menu">
          <summary>
            Team · {around} of {team.length} here
          </summary>
          <ul className="team-list" aria-label="Team presence">
            {team.map((m) => (
              <li key={m.userId}>
                <PresenceDot userId={m.userId} />
                <span className="grow">
                  {m.name}
                  {m.userId === me ? ' (you)' : ''}
                </span>
                <span className="muted small">{LABEL[presence.get(m.userId) ?? 'offline']}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** "Alice is typing…" under the thread, from the stream's typing events. */
export function TypingLine({ conversationId }: { conversationId: string }) {
  const typists = useTypists(conversationId);
  const names = typists.map((t) => t.name);
  const text =
    names.length === 0
      ? ''
      : names.length === 1
        ? `${names[0]} is typing…`
        : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
  return (
    <p className="typing-line" aria-live="polite">
      {text}
    </p>
  );
}
