import type { DebugTokenData } from '@openwaba/cloud-api';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { channelChanged } from './channels.events.js';
import { healthOf, listAllNumbers } from './channels.health.js';
import {
  findLiveChannelByNumber,
  findLiveWabaByExternalId,
  insertChannel,
  insertWaba,
  type OnboardingRow,
  updateChannel,
  updateOnboarding,
  updateWaba,
} from './channels.repository.js';
import { type channelOnboardings, type OnboardingStep, onboardingSteps } from './onboarding.tables.js';

/** The steps of the onboarding sequence, one Graph call each; see onboarding.service.ts for the run. */

export type RefusalCode = 'scope_mismatch' | 'phone_number_taken' | 'waba_taken';

/** A step found something retrying cannot fix without a different input. */
export class OnboardingRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** A step failed for a reason of ours (not a Graph error), with a message fit for the user. */
export class StepFailed extends Error {}

export interface RunSecrets {
  code?: string;
  token?: string;
}

export function appCredentials(platform: Platform): { appId: string; appSecret: string } {
  const { appId, appSecret } = platform.config.meta;
  if (!appId || !appSecret) {
    throw new AppError('unavailable', 'Connecting WhatsApp needs META_APP_ID and META_APP_SECRET');
  }
  return { appId, appSecret };
}

/** Marks `step` done and moves to the next one, in the caller's transaction. */
async function advance(
  tx: Executor,
  row: OnboardingRow,
  step: OnboardingStep,
  values: Partial<typeof channelOnboardings.$inferInsert> = {},
): Promise<OnboardingRow> {
  const next = onboardingSteps[onboardingSteps.indexOf(step) + 1] ?? 'done';
  const updated = await updateOnboarding(tx, row, {
    ...values,
    step: next,
    state: next === 'done' ? 'done' : 'running',
    completed: { ...row.completed, [step]: new Date().toISOString() },
    lastError: null,
  });
  if (!updated) throw new Error(`onboarding ${row.id} vanished`);
  return updated;
}

async function tokenOf(platform: Platform, row: OnboardingRow, secrets: RunSecrets): Promise<string> {
  if (secrets.token) return secrets.token;
  if (!row.tokenSecretId) throw new StepFailed('No access token: the code exchange has not succeeded');
  secrets.token = await platform.vault.reveal(row.workspaceId, row.tokenSecretId);
  return secrets.token;
}

/** True when the token carries `scope` on the WABA (a scope without target ids covers every asset). */
function grants(data: DebugTokenData, scope: string, wabaId: string): boolean {
  return (data.granular_scopes ?? []).some(
    (s) => s.scope === scope && (s.target_ids === undefined || s.target_ids.includes(wabaId)),
  );
}

export async function runStep(
  platform: Platform,
  actor: Actor,
  row: OnboardingRow,
  step: OnboardingStep,
  secrets: RunSecrets,
): Promise<OnboardingRow> {
  const { workspaceId } = row;
  const { appId, appSecret } = appCredentials(platform);
  switch (step) {
    case 'exchange_code': {
      if (!secrets.code) throw new StepFailed('An Embedded Signup code is needed');
      const code = secrets.code;
      secrets.code = undefined;
      const exchanged = await platform.graph.exchangeCode({ clientId: appId, clientSecret: appSecret, code });
      secrets.token = exchanged.access_token;
      return platform.db.transaction(async (tx) => {
        const tokenSecretId = await platform.vault.put(tx, workspaceId, 'waba_token', exchanged.access_token);
        return advance(tx, row, step, { tokenSecretId });
      });
    }
    case 'debug_token': {
      const data = await platform.graph.debugToken({
        inputToken: await tokenOf(platform, row, secrets),
        appId,
        appSecret,
      });
      if (!data.is_valid) throw new StepFailed(data.error?.message ?? 'Meta says this token is not valid');
      const waba = row.wabaExternalId;
      if (
        !grants(data, 'whatsapp_business_management', waba) ||
        !grants(data, 'whatsapp_business_messaging', waba)
      ) {
        throw new OnboardingRefused(
          'scope_mismatch',
          `The token was not granted WhatsApp management and messaging on WABA ${waba}`,
        );
      }
      return platform.db.transaction(async (tx) => claimAssets(platform, tx, row));
    }
    case 'subscribe_app': {
      await platform.graph.subscribeApp({
        accessToken: await tokenOf(platform, row, secrets),
        wabaId: row.wabaExternalId,
      });
      return platform.db.transaction(async (tx) => {
        await updateWaba(tx, workspaceId, row.wabaId!, { subscribedAt: new Date() });
        return advance(tx, row, step);
      });
    }
    case 'register_phone': {
      if (!row.pinSecretId || !row.phoneNumberId) throw new StepFailed('The onboarding has no number or PIN');
      await platform.graph.registerPhone({
        accessToken: await tokenOf(platform, row, secrets),
        phoneNumberId: row.phoneNumberId,
        pin: await platform.vault.reveal(workspaceId, row.pinSecretId),
      });
      return platform.db.transaction(async (tx) => {
        await updateChannel(tx, workspaceId, row.channelId!, { registeredAt: new Date() });
        return advance(tx, row, step);
      });
    }
    case 'fetch_numbers': {
      const numbers = await listAllNumbers(
        platform,
        await tokenOf(platform, row, secrets),
        row.wabaExternalId,
      );
      const number = numbers.find((n) => n.id === row.phoneNumberId);
      if (!number) {
        throw new StepFailed(`WABA ${row.wabaExternalId} does not list phone number ${row.phoneNumberId}`);
      }
      const done = await platform.db.transaction(async (tx) => {
        const now = new Date();
        await updateChannel(tx, workspaceId, row.channelId!, {
          ...healthOf(number),
          status: 'connected',
          lastError: null,
          lastSyncedAt: now,
        });
        await updateWaba(tx, workspaceId, row.wabaId!, { lastSyncedAt: now });
        await recordAudit(tx, actor, {
          workspaceId,
          action: 'channel.connected',
          resourceType: 'channel',
          resourceId: row.channelId,
          after: {
            method: row.method,
            onboardingId: row.id,
            wabaExternalId: row.wabaExternalId,
            phoneNumberId: row.phoneNumberId,
            displayPhoneNumber: number.display_phone_number ?? null,
          },
        });
        return advance(tx, row, step);
      });
      await platform.events.publish(channelChanged, {
        workspaceId,
        channelId: row.channelId!,
        status: 'connected',
        change: 'connected',
      });
      return done;
    }
    case 'done':
      return row;
    default:
      throw new Error(`unhandled step ${step satisfies never}`);
  }
}

/**
 * Stores the WABA (its token replacing an older one of the same workspace) and the channel, or adopts the
 * rows a failed or `needs_reauth` earlier connection left. Another workspace's number or WABA is refused.
 */
async function claimAssets(platform: Platform, tx: Executor, row: OnboardingRow): Promise<OnboardingRow> {
  const { workspaceId } = row;
  const phoneNumberId = row.phoneNumberId!;
  let waba = await findLiveWabaByExternalId(tx, row.wabaExternalId);
  if (waba && waba.workspaceId !== workspaceId) {
    throw new OnboardingRefused(
      'waba_taken',
      'This WhatsApp Business Account is connected to another workspace',
    );
  }
  if (waba) {
    if (waba.tokenSecretId && waba.tokenSecretId !== row.tokenSecretId) {
      await platform.vault.destroy(tx, workspaceId, waba.tokenSecretId);
    }
    waba = await updateWaba(tx, workspaceId, waba.id, {
      tokenSecretId: row.tokenSecretId,
      status: 'active',
      businessId: row.businessId ?? waba.businessId,
    });
  } else {
    waba = await insertWaba(tx, {
      id: newId('waba'),
      workspaceId,
      externalId: row.wabaExternalId,
      businessId: row.businessId,
      tokenSecretId: row.tokenSecretId,
    });
  }
  if (!waba)
    throw new OnboardingRefused('waba_taken', 'This WhatsApp Business Account was just connected elsewhere');

  const taken = () =>
    new OnboardingRefused('phone_number_taken', 'This phone number is already connected to a workspace');
  const existing = await findLiveChannelByNumber(tx, phoneNumberId);
  let channelId: string;
  if (existing) {
    if (existing.workspaceId !== workspaceId || existing.status === 'connected') throw taken();
    if (existing.pinSecretId && existing.pinSecretId !== row.pinSecretId) {
      await platform.vault.destroy(tx, workspaceId, existing.pinSecretId);
    }
    await updateChannel(tx, workspaceId, existing.id, {
      wabaId: waba.id,
      status: 'pending',
      pinSecretId: row.pinSecretId,
      lastError: null,
    });
    channelId = existing.id;
  } else {
    const created = await insertChannel(tx, {
      id: newId('channel'),
      workspaceId,
      wabaId: waba.id,
      phoneNumberId,
      status: 'pending',
      pinSecretId: row.pinSecretId,
    });
    if (!created) throw taken();
    channelId = created.id;
  }
  return advance(tx, row, 'debug_token', { wabaId: waba.id, channelId });
}
