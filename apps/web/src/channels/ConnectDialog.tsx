import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useSimulatorAvailable } from '../simulator/status';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { Spinner } from '../ui/states';
import { runEmbeddedSignup, type SignupAssets } from './facebook';
import { OnboardingProgress } from './OnboardingProgress';
import {
  channelLabel,
  channelsKey,
  type OnboardingOutcome,
  useChannels,
  useEmbeddedSignupConfig,
} from './queries';

type Mode = 'signup' | 'manual';
const WRONG_PIN = 133005;

/**
 * Connect a WhatsApp number: Meta's Embedded Signup (the simulator's stand-in in embedded mode) or,
 * for operators, a system-user token. Then the onboarding's steps, Meta's error if one fails, and a
 * retry that resumes at that step.
 */
export function ConnectDialog({
  open,
  reconnect,
  onClose,
}: {
  open: boolean;
  /** The phone number id of a number to reconnect (preselected in the simulator's stand-in). */
  reconnect?: string | undefined;
  onClose: () => void;
}) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [mode, setMode] = useState<Mode>('signup');
  const [outcome, setOutcome] = useState<OnboardingOutcome | null>(null);
  const [signupCode, setSignupCode] = useState<string | null>(null);
  const form = useFormErrors(['code', 'wabaId', 'phoneNumberId', 'accessToken', 'pin']);

  const settle = async (result: OnboardingOutcome) => {
    setOutcome(result);
    await queryClient.invalidateQueries({ queryKey: channelsKey(workspaceId) });
    if (result.onboarding.state === 'done' && result.channel) {
      announce(`${channelLabel(result.channel)} is connected`);
    }
  };
  const path = { params: { path: { workspaceId } } };
  const connectSignup = useMutation({
    mutationFn: (assets: SignupAssets) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/embedded-signup', { ...path, body: assets })),
    onSuccess: settle,
    onError: form.fail,
  });
  const connectManual = useMutation({
    mutationFn: (body: { accessToken: string; wabaId: string; phoneNumberId: string; pin?: string }) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/manual', { ...path, body })),
    onSuccess: settle,
    onError: form.fail,
  });
  const retry = useMutation({
    mutationFn: (body: { pin?: string; code?: string }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/channels/onboardings/{onboardingId}/retry', {
          params: { path: { workspaceId, onboardingId: outcome?.onboarding.id ?? '' } },
          body,
        }),
      ),
    onSuccess: settle,
    onError: form.fail,
  });

  function close() {
    form.clear();
    setOutcome(null);
    setSignupCode(null);
    setMode('signup');
    for (const mutation of [connectSignup, connectManual, retry]) mutation.reset();
    onClose();
  }

  const running = connectSignup.isPending || connectManual.isPending;
  const started = running || outcome !== null;
  return (
    <Modal title="Connect WhatsApp" open={open} onClose={close}>
      {started ? (
        <OnboardingView
          outcome={outcome}
          retrying={retry.isPending}
          retryError={form.errors}
          onRetry={(pin) => {
            form.clear();
            // A failed code exchange is retried with the same code: it may still be unused and fresh.
            const code = outcome?.onboarding.step === 'exchange_code' ? signupCode : undefined;
            retry.mutate({ ...(pin ? { pin } : {}), ...(code ? { code } : {}) });
          }}
          onStartOver={() => {
            setOutcome(null);
            form.clear();
            connectSignup.reset();
            connectManual.reset();
          }}
          onDone={close}
        />
      ) : (
        <div className="stack">
          <fieldset className="segmented">
            <legend className="sr-only">How to connect</legend>
            <button type="button" aria-pressed={mode === 'signup'} onClick={() => setMode('signup')}>
              Sign up with Meta
            </button>
            <button type="button" aria-pressed={mode === 'manual'} onClick={() => setMode('manual')}>
              System-user token
            </button>
          </fieldset>
          <FormError message={form.errors.message} />
          {mode === 'signup' ? (
            <SignupStart
              reconnect={reconnect}
              errors={form.errors.fields}
              onAssets={(assets) => {
                form.clear();
                setSignupCode(assets.code);
                connectSignup.mutate(assets);
              }}
              onError={form.fail}
            />
          ) : (
            <ManualForm
              errors={form.errors.fields}
              onInvalid={form.invalid}
              onSubmit={(body) => {
                form.clear();
                connectManual.mutate(body);
              }}
            />
          )}
        </div>
      )}
    </Modal>
  );
}

/** Where the Meta part happens: the simulator's stand-in, Meta's SDK popup, or why neither is available. */
function SignupStart({
  reconnect,
  errors,
  onAssets,
  onError,
}: {
  reconnect: string | undefined;
  errors: Record<string, string>;
  onAssets: (assets: SignupAssets) => void;
  onError: (error: unknown) => void;
}) {
  const simulator = useSimulatorAvailable();
  const config = useEmbeddedSignupConfig();
  const [opening, setOpening] = useState(false);
  if (simulator) return <SimulatedSignup reconnect={reconnect} onAssets={onAssets} />;
  if (config.isPending) return <Spinner label="Loading Embedded Signup…" />;
  const ready = config.data?.enabled && config.data.appId && config.data.configId;
  if (!ready) {
    return (
      <div className="banner banner-warn" role="status">
        Embedded Signup is not configured on this server (it needs META_APP_ID, META_APP_SECRET and
        META_CONFIG_ID). Use a system-user token instead, or ask your operator.
      </div>
    );
  }
  async function start() {
    if (!config.data?.appId || !config.data.configId) return;
    setOpening(true);
    try {
      onAssets(
        await runEmbeddedSignup({
          appId: config.data.appId,
          configId: config.data.configId,
          graphVersion: config.data.graphVersion,
        }),
      );
    } catch (error) {
      onError(error);
    } finally {
      setOpening(false);
    }
  }
  return (
    <div className="stack">
      <p>
        A Meta window opens where you pick or create your business, its WhatsApp Business Account and the
        phone number. We connect it as soon as you finish there.
      </p>
      {errors.code && <p className="field-error">{errors.code}</p>}
      <div className="modal-actions">
        <button type="button" className="btn btn-primary" onClick={start} disabled={opening}>
          {opening ? 'Waiting for Meta…' : 'Continue with Facebook'}
        </button>
      </div>
    </div>
  );
}

/** The simulator's stand-in for Meta's popup: the same choices, answered with a real signup code. */
function SimulatedSignup({
  reconnect,
  onAssets,
}: {
  reconnect: string | undefined;
  onAssets: (assets: SignupAssets) => void;
}) {
  const { workspace, id: workspaceId } = useWorkspace();
  const channels = useChannels(workspaceId);
  const form = useFormErrors(['businessName', 'wabaName', 'displayPhoneNumber', 'verifiedName']);
  const [target, setTarget] = useState(reconnect ?? '');
  const [suggested] = useState(() => {
    const digits = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
    return `+1 555-01${digits.slice(0, 2)}-${digits.slice(2)}`;
  });
  const reconnectable = (channels.data?.items ?? []).filter(
    (c) => c.status === 'needs_reauth' || c.status === 'failed',
  );
  const signup = useMutation({
    mutationFn: (body: Record<string, string>) => call(api.POST('/api/v1/simulator/signup', { body })),
    onSuccess: (out) =>
      onAssets({
        code: out.code,
        wabaId: out.wabaId,
        phoneNumberId: out.phoneNumberId,
        businessId: out.businessId,
      }),
    onError: form.fail,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.clear();
    if (target) return signup.mutate({ reconnectPhoneNumberId: target });
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['businessName', 'displayPhoneNumber', 'verifiedName']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    signup.mutate(Object.fromEntries(Object.entries(values).filter(([, v]) => v)));
  }
  return (
    <form onSubmit={submit} noValidate className="stack meta-standin" aria-label="Simulated Meta sign-up">
      <p className="muted small">
        <span className="badge badge-muted">Simulator</span> This stands in for Meta's sign-up window: it
        creates the business, WhatsApp Business Account and number in the local Graph API simulator.
      </p>
      <FormError message={form.errors.message} />
      {reconnectable.length > 0 && (
        <SelectField
          label="Number to connect"
          name="target"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        >
          <option value="">A new number</option>
          {reconnectable.map((c) => (
            <option key={c.id} value={c.phoneNumberId}>
              Reconnect {channelLabel(c)}
            </option>
          ))}
        </SelectField>
      )}
      {!target && (
        <>
          <TextField
            label="Business name"
            name="businessName"
            defaultValue={workspace.name}
            error={form.errors.fields.businessName}
          />
          <TextField
            label="WhatsApp Business Account name"
            name="wabaName"
            defaultValue={`${workspace.name} WABA`}
            error={form.errors.fields.wabaName}
          />
          <TextField
            label="Phone number"
            name="displayPhoneNumber"
            type="tel"
            defaultValue={suggested}
            error={form.errors.fields.displayPhoneNumber}
          />
          <TextField
            label="Display name"
            name="verifiedName"
            defaultValue={workspace.name}
            hint="The name customers see in WhatsApp."
            error={form.errors.fields.verifiedName}
          />
        </>
      )}
      <div className="modal-actions">
        <button type="submit" className="btn btn-primary" disabled={signup.isPending}>
          {signup.isPending ? 'Signing up…' : 'Finish sign-up'}
        </button>
      </div>
    </form>
  );
}

function ManualForm({
  errors,
  onInvalid,
  onSubmit,
}: {
  errors: Record<string, string>;
  onInvalid: (fields: Record<string, string>) => void;
  onSubmit: (body: { accessToken: string; wabaId: string; phoneNumberId: string; pin?: string }) => void;
}) {
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['accessToken', 'wabaId', 'phoneNumberId']);
    if (Object.keys(empty).length > 0) return onInvalid(empty);
    onSubmit({
      accessToken: values.accessToken ?? '',
      wabaId: values.wabaId ?? '',
      phoneNumberId: values.phoneNumberId ?? '',
      ...(values.pin ? { pin: values.pin } : {}),
    });
  }
  return (
    <form onSubmit={submit} noValidate className="stack">
      <p className="muted small">
        For operators: a system-user token from Meta Business Settings with the whatsapp_business_management
        and whatsapp_business_messaging permissions. It is sealed in the vault and never shown again.
      </p>
      <TextField
        label="System-user access token"
        name="accessToken"
        type="password"
        autoComplete="off"
        error={errors.accessToken}
      />
      <TextField
        label="WhatsApp Business Account id"
        name="wabaId"
        inputMode="numeric"
        error={errors.wabaId}
      />
      <TextField
        label="Phone number id"
        name="phoneNumberId"
        inputMode="numeric"
        error={errors.phoneNumberId}
      />
      <TextField
        label="Two-step verification PIN (optional)"
        name="pin"
        inputMode="numeric"
        autoComplete="off"
        hint="6 digits. Leave empty to have one generated and kept sealed."
        error={errors.pin}
      />
      <div className="modal-actions">
        <button type="submit" className="btn btn-primary">
          Connect number
        </button>
      </div>
    </form>
  );
}

function OnboardingView({
  outcome,
  retrying,
  retryError,
  onRetry,
  onStartOver,
  onDone,
}: {
  outcome: OnboardingOutcome | null;
  retrying: boolean;
  retryError: { fields: Record<string, string>; message: string | null };
  onRetry: (pin?: string) => void;
  onStartOver: () => void;
  onDone: () => void;
}) {
  const onboarding = outcome?.onboarding ?? null;
  const failure = onboarding?.state === 'failed' ? onboarding.lastError : null;
  const needsPin = failure?.code === WRONG_PIN;
  // A sign-up code works once and briefly: when its exchange failed, signing up again may be needed.
  const codeFailed = onboarding?.state === 'failed' && onboarding.step === 'exchange_code';

  function submitRetry(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onRetry(needsPin ? readForm(event.currentTarget).pin : undefined);
  }

  return (
    <div className="stack">
      <OnboardingProgress
        onboarding={retrying && onboarding ? { ...onboarding, state: 'running' } : onboarding}
      />
      {!onboarding && (
        <p className="muted" role="status">
          Connecting your number…
        </p>
      )}
      {onboarding?.state === 'done' && outcome?.channel && (
        <div className="banner banner-success" role="status">
          {channelLabel(outcome.channel)} is connected and ready to send and receive messages.
        </div>
      )}
      {failure && !retrying && (
        <div className="banner banner-error" role="alert">
          <strong>Meta answered{failure.code ? ` (error ${failure.code})` : ''}:</strong> {failure.message}
        </div>
      )}
      <FormError message={retryError.message} />
      {onboarding?.state === 'failed' && (
        <form onSubmit={submitRetry} noValidate className="stack">
          {needsPin && (
            <TextField
              label="Two-step verification PIN"
              name="pin"
              inputMode="numeric"
              autoComplete="off"
              hint="The number already has a PIN; enter it to register."
              error={retryError.fields.pin}
            />
          )}
          <div className="modal-actions">
            <button type="button" className="btn" onClick={codeFailed ? onStartOver : onDone}>
              {codeFailed ? 'Sign up again' : 'Close'}
            </button>
            <button type="submit" className="btn btn-primary" disabled={retrying}>
              {retrying ? 'Retrying…' : 'Retry'}
            </button>
          </div>
        </form>
      )}
      {onboarding?.state === 'done' && (
        <div className="modal-actions">
          <button type="button" className="btn btn-primary" onClick={onDone}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
