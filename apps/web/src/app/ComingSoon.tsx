import { PageHeader } from '../ui/states';

const copy: Record<string, { title: string; text: string }> = {
  inbox: {
    title: 'Inbox',
    text: 'Every WhatsApp conversation of your team in one place, with live updates, templates and notes.',
  },
  contacts: {
    title: 'Contacts',
    text: 'Your customers, their tags and attributes, and their opt-out state.',
  },
  templates: {
    title: 'Templates',
    text: "Build message templates, preview them and submit them to Meta's review.",
  },
  channels: {
    title: 'Channels',
    text: 'Connect your WhatsApp numbers and watch their quality rating, limit tier and status.',
  },
};

/** A labelled placeholder: the screen's API is still being built, so there is nothing real to show yet. */
export function ComingSoon({ section }: { section: keyof typeof copy }) {
  const page = copy[section] ?? { title: section, text: '' };
  return (
    <>
      <PageHeader title={page.title} />
      <section className="card coming-soon" aria-labelledby="coming-soon-title">
        <span className="badge badge-muted">Coming soon</span>
        <h2 id="coming-soon-title">{page.title} is on its way</h2>
        <p>{page.text}</p>
        <p className="muted small">
          This screen arrives with its API in an upcoming release. Nothing here is sample data.
        </p>
      </section>
    </>
  );
}
