import { useSyncExternalStore } from 'react';

/**
 * What the realtime stream says about people rather than data: who is typing where, and who is online
 * or away. Nothing of it is in the REST caches, so it lives here; the stream (realtime.ts) feeds it.
 */
export type PresenceStatus = 'online' | 'away';

export interface Typist {
  userId: string;
  name: string;
}

interface Snapshot {
  /** conversationId → members typing there now. */
  typing: ReadonlyMap<string, readonly Typist[]>;
  presence: ReadonlyMap<string, PresenceStatus>;
}

/** Typing events repeat while someone types (see TYPING_EVERY_MS); silence longer than this ends it. */
const TYPING_LASTS_MS = 6_000;

let snapshot: Snapshot = { typing: new Map(), presence: new Map() };
const listeners = new Set<() => void>();
const expiries = new Map<string, number>();

function publish(next: Partial<Snapshot>) {
  snapshot = { ...snapshot, ...next };
  for (const listener of listeners) listener();
}

function withoutTypist(conversationId: string, userId: string) {
  const typing = new Map(snapshot.typing);
  const rest = (typing.get(conversationId) ?? []).filter((t) => t.userId !== userId);
  if (rest.length > 0) typing.set(conversationId, rest);
  else typing.delete(conversationId);
  return typing;
}

export const live = {
  typing(conversationId: string, typist: Typist) {
    const key = `${conversationId}:${typist.userId}`;
    window.clearTimeout(expiries.get(key));
    expiries.set(
      key,
      window.setTimeout(() => {
        expiries.delete(key);
        publish({ typing: withoutTypist(conversationId, typist.userId) });
      }, TYPING_LASTS_MS),
    );
    const typing = withoutTypist(conversationId, typist.userId);
    typing.set(conversationId, [...(typing.get(conversationId) ?? []), typist]);
    publish({ typing });
  },
  /** A member's message arrived: whoever was typing there has sent it. */
  sent(conversationId: string) {
    if (!snapshot.typing.has(conversationId)) return;
    const typing = new Map(snapshot.typing);
    typing.delete(conversationId);
    publish({ typing });
  },
  presence(userId: string, status: PresenceStatus | 'offline') {
    const presence = new Map(snapshot.presence);
    if (status === 'offline') presence.delete(userId);
    else presence.set(userId, status);
    publish({ presence });
  },
  presenceOfAll(users: readonly { userId: string; status: PresenceStatus }[]) {
    publish({ presence: new Map(users.map((u) => [u.userId, u.status])) });
  },
  reset() {
    for (const timer of expiries.values()) window.clearTimeout(timer);
    expiries.clear();
    publish({ typing: new Map(), presence: new Map() });
  },
};

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const NOBODY: readonly Typist[] = [];

export function useTypists(conversationId: string): readonly Typist[] {
  return useSyncExternalStore(subscribe, () => snapshot.typing.get(conversationId) ?? NOBODY);
}

export function usePresence(): ReadonlyMap<string, PresenceStatus> {
  return useSyncExternalStore(subscribe, () => snapshot.presence);
}
