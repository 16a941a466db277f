import { and, eq, inArray, ne, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { type ChannelRow, type ChannelStatus, channels, wabas } from './channels.tables.js';
import { channelOnboardings } from './onboarding.tables.js';

export type WabaRow = typeof wabas.$inferSelect;
export type OnboardingRow = typeof channelOnboardings.$inferSelect;
export type ChannelWithWaba = { channel: ChannelRow; waba: WabaRow };

const live = ne(channels.status, 'disconnected');

export async function listChannels(
  db: Executor,
  workspaceId: string,
  status?: ChannelStatus,
): Promise<ChannelWithWaba[]> {
  return db
    .select({ channel: channels, waba: wabas })
    .from(channels)
    .innerJoin(wabas, eq(wabas.id, channels.wabaId))
    .where(and(eq(channels.workspaceId, workspaceId), status ? eq(channels.status, status) : live))
    .orderBy(channels.createdAt);
}

export async function findChannel(
  db: Executor,
  workspaceId: string,
  channelId: string,
): Promise<ChannelWithWaba | undefined> {
  const [row] = await db
    .select({ channel: channels, waba: wabas })
    .from(channels)
    .innerJoin(wabas, eq(wabas.id, channels.wabaId))
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, channelId)));
  return row;
}

/** The channel holding a Meta phone number right now, in any workspace (a number has one owner). */
export async function findLiveChannelByNumber(db: Executor, phoneNumberId: string) {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.phoneNumberId, phoneNumberId), live));
  return row;
}

export async function findLiveWabaByExternalId(db: Executor, externalId: string) {
  const [row] = await db
    .select()
    .from(wabas)
    .where(and(eq(wabas.externalId, externalId), ne(wabas.status, 'disconnected')));
  return row;
}

export async function findWaba(db: Executor, workspaceId: string, wabaId: string) {
  const [row] = await db
    .select()
    .from(wabas)
    .where(and(eq(wabas.workspaceId, workspaceId), eq(wabas.id, wabaId)));
  return row;
}

export async function liveChannelsOfWaba(db: Executor, workspaceId: string, wabaId: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.wabaId, wabaId), live));
}

export async function updateChannel(
  db: Executor,
  workspaceId: string,
  channelId: string,
  values: Partial<typeof channels.$inferInsert>,
): Promise<ChannelRow | undefined> {
  const [row] = await db
    .update(channels)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, channelId)))
    .returning();
  return row;
}

export async function updateWaba(
  db: Executor,
  workspaceId: string,
  wabaId: string,
  values: Partial<typeof wabas.$inferInsert>,
  extra?: SQL,
): Promise<WabaRow | undefined> {
  const [row] = await db
    .update(wabas)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(wabas.workspaceId, workspaceId), eq(wabas.id, wabaId), extra))
    .returning();
  return row;
}

/** Inserts unless the number (or WABA) is already held: the partial unique indexes decide, race-free. */
export async function insertChannel(db: Executor, values: typeof channels.$inferInsert) {
  const [row] = await db.insert(channels).values(values).onConflictDoNothing().returning();
  return row;
}

export async function insertWaba(db: Executor, values: typeof wabas.$inferInsert) {
  const [row] = await db.insert(wabas).values(values).onConflictDoNothing().returning();
  return row;
}

export async function markChannelsOfWaba(
  db: Executor,
  workspaceId: string,
  wabaId: string,
  values: Partial<typeof channels.$inferInsert>,
): Promise<string[]> {
  const rows = await db
    .update(channels)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.wabaId, wabaId), live))
    .returning({ id: channels.id });
  return rows.map((r) => r.id);
}

/** WABAs whose numbers are due for a health sync. */
export async function activeWabas(db: Executor): Promise<WabaRow[]> {
  return db
    .select()
    .from(wabas)
    .where(inArray(wabas.status, ['active']));
}

export async function insertOnboarding(db: Executor, values: typeof channelOnboardings.$inferInsert) {
  const [row] = await db.insert(channelOnboardings).values(values).returning();
  return row!;
}

export async function findOnboarding(db: Executor, workspaceId: string, onboardingId: string) {
  const [row] = await db
    .select()
    .from(channelOnboardings)
    .where(and(eq(channelOnboardings.workspaceId, workspaceId), eq(channelOnboardings.id, onboardingId)));
  return row;
}

export async function updateOnboarding(
  db: Executor,
  row: Pick<OnboardingRow, 'workspaceId' | 'id'>,
  values: Partial<typeof channelOnboardings.$inferInsert>,
  extra?: SQL,
): Promise<OnboardingRow | undefined> {
  const [updated] = await db
    .update(channelOnboardings)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(channelOnboardings.workspaceId, row.workspaceId), eq(channelOnboardings.id, row.id), extra))
    .returning();
  return updated;
}
