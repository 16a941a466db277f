import type { ContactSummary } from './queries';

/** Whether messages may be sent to the contact, at a glance. */
export function OptBadge({
  contact,
}: {
  contact: Pick<ContactSummary, 'optedOutAt' | 'marketingOptedOutAt'>;
}) {
  if (contact.optedOutAt) return <span className="badge badge-danger">Opted out</span>;
  if (contact.marketingOptedOutAt) return <span className="badge badge-warn">No marketing</span>;
  return <span className="badge badge-ok">Subscribed</span>;
}
