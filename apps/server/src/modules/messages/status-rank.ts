/**
 * Statuses only move forward, judged by rank, not by arrival: Meta delivers them out of order
 * (`read` may come before `delivered`, or without it) and more than once. `failed` is terminal.
 */
const RANK: Record<string, number> = {
  received: 0,
  queued: 0,
  sending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 3,
  failed: 9,
};

export function statusRank(status: string): number {
  return RANK[status] ?? 0;
}

/** The status a message shows: `played` (voice notes) is shown as read. */
export function visibleStatus(status: string): 'sent' | 'delivered' | 'read' | 'failed' | null {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return status;
    case 'played':
      return 'read';
    default:
      return null;
  }
}
