import { randomInt } from 'node:crypto';
import { GraphError } from '@openwaba/cloud-api';
import { and, eq, lt, or } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { VaultError } from '../../platform/vault/vault.js';
import { recordAudit } from '../audit/audit.service.js';
import { channelChanged } from './channels.events.js';
import { describeFailure, type FailureSummary, isTokenRejected, markNeedsReauth } from './channels.health.js';
import {
  type ChannelWithWaba,
  findChannel,
  findLiveChannelByNumber,
  findLiveWabaByExternalId,
  findOnboarding,
  insertOnboarding,
  type OnboardingRow,
  updateChannel,
  updateOnboarding,
} from './channels.repository.js';
import {
  appCredentials,
  OnboardingRefused,
  type RunSecrets,
  runStep,
  StepFailed,
} from './onboarding.steps.js';
import { channelOnboardings, type OnboardingStep } from './onboarding.tables.js';

/** A running onboarding not touched for this long is assumed abandoned (its process died) and may be retried. */
const STALE_RUN_MS = 2 * 60_000;

export interface StartOnboardingInput {
  wabaExternalId: string;
  phoneNumberId: string;
  businessId?: string;
  /** The two-step verification PIN to register with; one is generated (and sealed) when absent. */
  pin?: string;
  /** Embedded Signup: the short-lived code the browser received. */
  code?: string;
  /** Manual connection: a system-user token. */
  accessToken?: string;
}

export interface OnboardingOutcome {
  onboarding: OnboardingRow;
  channel: ChannelWithWaba | undefined;
}

const generatePin = () => randomInt(0, 1_000_000).toString().padStart(6, '0');

/**
 * Refuses a number or WABA another workspace holds, or a number already connected here, before any
 * Graph call (an Embedded Signup code is single-use). The unique indexes enforce it again on insert.
 */
async function assertAssetsFree(db: Executor, workspaceId: string, input: StartOnboardingInput) {
  const channel = await findLiveChannelByNumber(db, input.phoneNumberId);
  if (channel && (channel.workspaceId !== workspaceId || channel.status === 'connected')) {
    throw new AppError('phone_number_taken', 'This phone number is already connected to a workspace');
  }
  const waba = await findLiveWabaByExternalId(db, input.wabaExternalId);
  if (waba && waba.workspaceId !== workspaceId) {
    throw new AppError('waba_taken', 'This WhatsApp Business Account is connected to another workspace');
  }
  return channel;
}

/** Starts the onboarding sequence and runs it as far as it goes. */
export async function startOnboarding(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  method: 'embedded_signup' | 'manual',
  input: StartOnboardingInput,
): Promise<OnboardingOutcome> {
  appCredentials(platform);
  const held = await assertAssetsFree(platform.db, workspaceId, input);
  const row = await platform.db.transaction(async (tx) => {
    // Reconnecting a number of this workspace (after needs_reauth) keeps the PIN it is registered with.
    const pinSecretId =
      input.pin === undefined && held?.pinSecretId
        ? held.pinSecretId
        : await platform.vault.put(tx, workspaceId, 'register_pin', input.pin ?? generatePin());
    const tokenSecretId =
      method === 'manual' && input.accessToken
        ? await platform.vault.put(tx, workspaceId, 'waba_token', input.accessToken)
        : null;
    const created = await insertOnboarding(tx, {
      id: newId('onboarding'),
      workspaceId,
      method,
      wabaExternalId: input.wabaExternalId,
      phoneNumberId: input.phoneNumberId,
      businessId: input.businessId ?? null,
      step: method === 'manual' ? 'debug_token' : 'exchange_code',
      state: 'running',
      pinSecretId,
      tokenSecretId,
      createdBy: actor.principal?.kind === 'user' ? actor.principal.userId : null,
    });
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'channel_onboarding.started',
      resourceType: 'channel_onboarding',
      resourceId: created.id,
      after: {
        method,
        wabaExternalId: input.wabaExternalId,
        phoneNumberId: input.phoneNumberId,
        pinGiven: input.pin !== undefined,
      },
    });
    return created;
  });
  return run(platform, actor, row, { code: input.code, token: input.accessToken });
}

/**
 * Resumes a failed onboarding at the step that failed; steps already done (a successful `register`
 * above all: Meta allows 10 per 72 h) are not repeated. A failed code exchange needs a new code.
 */
export async function retryOnboarding(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  onboardingId: string,
  input: { code?: string; pin?: string },
): Promise<OnboardingOutcome> {
  appCredentials(platform);
  const existing = await findOnboarding(platform.db, workspaceId, onboardingId);
  if (!existing) throw notFound('Onboarding');
  if (existing.state === 'done') return outcome(platform, existing);
  if (existing.step === 'exchange_code' && !input.code) {
    throw new AppError(
      'bad_request',
      'The code exchange failed: start Embedded Signup again and send its new code (codes are single-use and live about 30 seconds)',
    );
  }
  const staleBefore = new Date(Date.now() - STALE_RUN_MS);
  const claimed = await platform.db.transaction(async (tx) => {
    const row = await updateOnboarding(
      tx,
      existing,
      { state: 'running' },
      or(
        eq(channelOnboardings.state, 'failed'),
        and(eq(channelOnboardings.state, 'running'), lt(channelOnboardings.updatedAt, staleBefore)),
      ),
    );
    if (!row) return undefined;
    const pinReplaced = input.pin !== undefined && !row.completed.register_phone;
    if (pinReplaced) await replacePin(platform, tx, row, input.pin!);
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'channel_onboarding.retried',
      resourceType: 'channel_onboarding',
      resourceId: row.id,
      after: { step: row.step, pinReplaced },
    });
    return pinReplaced ? findOnboarding(tx, workspaceId, row.id) : row;
  });
  if (!claimed) throw new AppError('onboarding_in_progress', 'This onboarding is running; try again shortly');
  return run(platform, actor, claimed, { code: input.code });
}

/**
 * A number registered before keeps its PIN at Meta (a wrong one answers 133005), so a retry may bring the
 * right PIN. The old sealed PIN is destroyed; the channel, when there is one, points at the new one.
 */
async function replacePin(platform: Platform, tx: Executor, row: OnboardingRow, pin: string): Promise<void> {
  const pinSecretId = await platform.vault.put(tx, row.workspaceId, 'register_pin', pin);
  await updateOnboarding(tx, row, { pinSecretId });
  if (row.channelId) await updateChannel(tx, row.workspaceId, row.channelId, { pinSecretId });
  if (row.pinSecretId) await platform.vault.destroy(tx, row.workspaceId, row.pinSecretId);
}

async function outcome(platform: Platform, row: OnboardingRow): Promise<OnboardingOutcome> {
  const channel = row.channelId ? await findChannel(platform.db, row.workspaceId, row.channelId) : undefined;
  return { onboarding: row, channel };
}

async function run(
  platform: Platform,
  actor: Actor,
  start: OnboardingRow,
  secrets: RunSecrets,
): Promise<OnboardingOutcome> {
  let row = start;
  while (row.step !== 'done') {
    const step = row.step;
    try {
      row = await runStep(platform, actor, row, step, secrets);
    } catch (error) {
      return fail(platform, actor, row, step, error);
    }
  }
  return outcome(platform, row);
}

/**
 * Records a failed step: the onboarding `failed` with Meta's error, the channel `pending_register` (the
 * number still needs registering) or `failed`. A rejected token (190) also marks the WABA `needs_reauth`.
 */
async function fail(
  platform: Platform,
  actor: Actor,
  row: OnboardingRow,
  step: OnboardingStep,
  error: unknown,
): Promise<OnboardingOutcome> {
  const refusal = error instanceof OnboardingRefused ? error : undefined;
  const failure: FailureSummary =
    refusal || error instanceof StepFailed ? { message: (error as Error).message } : describeFailure(error);
  if (
    !refusal &&
    !(error instanceof StepFailed || error instanceof GraphError || error instanceof VaultError)
  ) {
    platform.logger.error({ err: error, onboardingId: row.id, step }, 'onboarding step crashed');
  }
  const channelStatus = step === 'register_phone' ? 'pending_register' : 'failed';
  const failed = await platform.db.transaction(async (tx) => {
    const updated = await updateOnboarding(tx, row, { state: 'failed', lastError: { step, ...failure } });
    if (row.channelId) {
      await updateChannel(tx, row.workspaceId, row.channelId, {
        status: channelStatus,
        lastError: { ...failure, step },
      });
    }
    await recordAudit(tx, actor, {
      workspaceId: row.workspaceId,
      action: 'channel_onboarding.failed',
      resourceType: 'channel_onboarding',
      resourceId: row.id,
      after: {
        step,
        code: failure.code,
        message: failure.message,
        channelStatus: row.channelId ? channelStatus : null,
      },
    });
    return updated ?? row;
  });
  if (isTokenRejected(error) && row.wabaId) {
    await markNeedsReauth(platform, row.workspaceId, row.wabaId, failure, actor);
  }
  if (row.channelId) {
    await platform.events.publish(channelChanged, {
      workspaceId: row.workspaceId,
      channelId: row.channelId,
      status: channelStatus,
      change: 'onboarding_failed',
    });
  }
  if (refusal) throw new AppError(refusal.code, refusal.message);
  return outcome(platform, failed);
}
