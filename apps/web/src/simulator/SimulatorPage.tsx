import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call, errorMessage } from '../api/client';
import type { components } from '../api/schema';
import { useWorkspace } from '../app/workspace';
import { channelLabel, useChannels } from '../channels/queries';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../ui/states';
import { type Ticks, WaBubble } from '../ui/WaBubble';
import { useSimulatorAvailable } from './status';
import './simulator.css';

type PhoneMessage = components['schemas']['SimPhoneMessage'];
type Reply = { messageId: string; id: string; title: string; kind: 'reply' | 'quick_reply' };

const customersKey = ['simulator', 'customers'] as const;
const chatKey = (waId: string, phoneNumberId: string) => ['simulator', 'chat', waId, phoneNumberId] as const;
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/**
 * Embedded mode's simulator phone: be one of the simulator's virtual customers and chat with this
 * workspace's number, so the whole loop (customer → inbox → reply → customer) runs in one browser.
 */
export default function SimulatorPage() {
  const available = useSimulatorAvailable();
  const { id: workspaceId } = useWorkspace();
  const channels = useChannels(workspaceId);
  const [params, setParams] = useSearchParams();
  const customers = useQuery({
    queryKey: customersKey,
    queryFn: () => call(api.GET('/api/v1/simulator/customers')),
    enabled: available,
  });
  const connected = (channels.data?.items ?? []).filter((c) => c.status === 'connected');
  const phoneNumberId = params.get('number') ?? connected[0]?.phoneNumberId ?? '';
  const waId = params.get('customer') ?? customers.data?.items[0]?.waId ?? '';
  const choose = (key: 'number' | 'customer', value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next, { replace: true });
  };

  if (!available) {
    return (
      <>
        <PageHeader title="Simulator phone" />
        <EmptyState title="The simulator runs only in embedded mode">
          Start the platform with <code>npm start</code> to chat as a virtual customer.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Simulator phone" />
      <p className="muted page-lead">
        Be a customer: write to your number, tap buttons, reply STOP. Everything goes through the local Graph
        API simulator and Meta's webhooks, exactly as a real phone would.
      </p>
      {(channels.isPending || customers.isPending) && <Spinner label="Loading the simulator…" />}
      {channels.isError && <ErrorState error={channels.error} onRetry={() => channels.refetch()} />}
      {customers.isError && <ErrorState error={customers.error} onRetry={() => customers.refetch()} />}
      {channels.data &&
        customers.data &&
        (connected.length === 0 ? (
          <EmptyState title="Connect a WhatsApp number first">
            The phone writes to one of your numbers. <Link to="../channels">Go to Channels</Link>
          </EmptyState>
        ) : (
          <div className="simulator">
            <section className="card stack sim-controls" aria-labelledby="sim-who">
              <h2 id="sim-who">Who and where</h2>
              <SelectField
                label="Business number"
                name="number"
                value={phoneNumberId}
                onChange={(e) => choose('number', e.target.value)}
              >
                {connected.map((c) => (
                  <option key={c.id} value={c.phoneNumberId}>
                    {channelLabel(c)}
                  </option>
                ))}
              </SelectField>
              {customers.data.items.length > 0 && (
                <SelectField
                  label="Virtual customer"
                  name="customer"
                  value={waId}
                  onChange={(e) => choose('customer', e.target.value)}
                >
                  {customers.data.items.map((c) => (
                    <option key={c.waId} value={c.waId}>
                      {c.name} (+{c.waId})
                    </option>
                  ))}
                </SelectField>
              )}
              <NewCustomer onCreated={(created) => choose('customer', created)} />
            </section>
            {waId ? (
              <Phone
                waId={waId}
                name={customers.data.items.find((c) => c.waId === waId)?.name ?? waId}
                phoneNumberId={phoneNumberId}
                business={
                  connected.find((c) => c.phoneNumberId === phoneNumberId)?.verifiedName ?? 'Business'
                }
              />
            ) : (
              <EmptyState title="Create a virtual customer to start">
                Give them a name; a WhatsApp number is made up for them.
              </EmptyState>
            )}
          </div>
        ))}
    </>
  );
}

function NewCustomer({ onCreated }: { onCreated: (waId: string) => void }) {
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['name', 'waId']);
  const create = useMutation({
    mutationFn: (body: { name: string; waId?: string }) =>
      call(api.POST('/api/v1/simulator/customers', { body })),
    onSuccess: async (customer) => {
      await queryClient.invalidateQueries({ queryKey: customersKey });
      announce(`${customer.name} (+${customer.waId}) is ready`);
      onCreated(customer.waId);
    },
    onError: form.fail,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const values = readForm(target);
    const empty = missing(values, ['name']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    create.mutate(
      { name: values.name ?? '', ...(values.waId ? { waId: values.waId.replace(/^\+/, '') } : {}) },
      { onSuccess: () => target.reset() },
    );
  }
  return (
    <form onSubmit={submit} noValidate className="stack new-customer" aria-labelledby="new-customer-title">
      <h3 id="new-customer-title">New virtual customer</h3>
      <FormError message={form.errors.message} />
      <TextField label="Customer name" name="name" autoComplete="off" error={form.errors.fields.name} />
      <TextField
        label="WhatsApp number (optional)"
        name="waId"
        type="tel"
        autoComplete="off"
        hint="Digits with the country code; made up when empty."
        error={form.errors.fields.waId}
      />
      <button type="submit" className="btn" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create customer'}
      </button>
    </form>
  );
}

function Phone({
  waId,
  name,
  phoneNumberId,
  business,
}: {
  waId: string;
  name: string;
  phoneNumberId: string;
  business: string;
}) {
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const key = chatKey(waId, phoneNumberId);
  const chat = useQuery({
    queryKey: key,
    queryFn: () =>
      call(
        api.GET('/api/v1/simulator/customers/{waId}/messages', {
          params: { path: { waId }, query: { phoneNumberId } },
        }),
      ),
    // The phone has no push channel of its own: it looks for new messages every second and a half.
    refetchInterval: 1500,
  });
  const send = useMutation({
    mutationFn: (body: { text: string } | { reply: Reply }) =>
      call(
        api.POST('/api/v1/simulator/customers/{waId}/messages', {
          params: { path: { waId } },
          body: { phoneNumberId, ...body },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const read = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/simulator/customers/{waId}/read', {
          params: { path: { waId } },
          body: { phoneNumberId },
        }),
      ),
  });

  const items = chat.data?.items ?? [];
  const unread = items.some((m) => m.direction === 'to_customer' && m.status === 'delivered');
  const last = items.at(-1)?.id;
  // The chat is open on the screen, so what arrived is read: the business sees blue ticks.
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once per change of unread state
  useEffect(() => {
    if (unread && !read.isPending) read.mutate();
  }, [unread, last]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives
  useEffect(() => {
    scroller.current?.scrollTo({ top: scroller.current.scrollHeight });
  }, [last]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    send.mutate({ text: body }, { onSuccess: () => setText('') });
  }

  return (
    <section className="phone" aria-label={`Phone of ${name}`}>
      <header className="phone-bar">
        <span className="avatar" aria-hidden="true">
          {business.charAt(0).toUpperCase()}
        </span>
        <span>
          <span className="phone-title">{business}</span>
          <span className="phone-sub">as {name}</span>
        </span>
      </header>
      <div className="wa-chat phone-chat" ref={scroller} role="log" aria-live="polite" aria-label="Chat">
        {chat.isPending && <Spinner label="Opening the chat…" />}
        {chat.isError && <ErrorState error={chat.error} onRetry={() => chat.refetch()} />}
        {chat.data && items.length === 0 && (
          <p className="phone-empty">No messages yet. Say hello to {business}.</p>
        )}
        {items.map((message) => (
          <Bubble
            key={message.id}
            message={message}
            onReply={(reply) => send.mutate({ reply })}
            disabled={send.isPending}
          />
        ))}
      </div>
      {send.isError && (
        <p className="phone-error" role="alert">
          {errorMessage(send.error)}
        </p>
      )}
      <form className="phone-composer" onSubmit={submit}>
        <label htmlFor="phone-message" className="sr-only">
          Message
        </label>
        <input
          id="phone-message"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Message"
          autoComplete="off"
          maxLength={4096}
        />
        <button type="submit" className="btn btn-primary" disabled={send.isPending || !text.trim()}>
          Send
        </button>
      </form>
      <div className="phone-quick">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => send.mutate({ text: 'STOP' })}
          disabled={send.isPending}
        >
          Reply STOP
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => send.mutate({ text: 'START' })}
          disabled={send.isPending}
        >
          Reply START
        </button>
      </div>
    </section>
  );
}

function Bubble({
  message,
  onReply,
  disabled,
}: {
  message: PhoneMessage;
  onReply: (reply: Reply) => void;
  disabled: boolean;
}) {
  const mine = message.direction === 'from_customer';
  const at = time.format(new Date(message.at));
  return (
    <WaBubble
      side={mine ? 'out' : 'in'}
      header={message.header}
      body={message.text}
      footer={message.footer}
      time={at}
      ticks={mine ? (message.status as Ticks) : undefined}
      buttons={message.buttons.map((button) => {
        const { id, kind } = button;
        const tappable = !disabled && id !== null && (kind === 'reply' || kind === 'quick_reply');
        return {
          title: button.title,
          kind,
          ...(tappable
            ? { onPress: () => onReply({ messageId: message.id, id, title: button.title, kind }) }
            : {}),
        };
      })}
    />
  );
}
