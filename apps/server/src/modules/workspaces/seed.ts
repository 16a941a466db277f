import { eq } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { systemSettings } from '../../platform/db/tables.js';
import { systemActor } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { insertUser } from '../identity/identity.repository.js';
import { generatePassword, hashPassword } from '../identity/secrets.js';
import { createWorkspaceInTx } from './workspaces.service.js';

export const DEMO_EMAIL = 'demo@openwaba.local';
const SEED_MARKER = 'demo_seed';

export interface DemoSeed {
  email: string;
  /** Generated on first start and returned once; only its hash is stored. Print it, never log it. */
  password: string;
  workspaceId: string;
}

/**
 * Embedded mode's first start: a demo user and workspace, so a newcomer can sign in at once.
 * Returns the credentials the first time and null ever after (a marker row records the seed).
 */
export async function seedDemoWorkspace(platform: Pick<Platform, 'db'>): Promise<DemoSeed | null> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const actor = systemActor('seed');
  return platform.db.transaction(async (tx) => {
    const [marker] = await tx
      .select()
      .from(systemSettings)
      .where(eq(systemSettings.key, SEED_MARKER))
      .for('update');
    if (marker) return null;
    const user = await insertUser(tx, { id: newId('user'), email: DEMO_EMAIL, name: 'Demo', passwordHash });
    if (!user) return null;
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'user.seeded',
      resourceType: 'user',
      resourceId: user.id,
      after: { email: user.email },
    });
    const workspace = await createWorkspaceInTx(tx, actor, { name: 'Demo workspace', ownerUserId: user.id });
    await tx
      .insert(systemSettings)
      .values({ key: SEED_MARKER, value: { userId: user.id, workspaceId: workspace.id } })
      .onConflictDoNothing();
    return { email: DEMO_EMAIL, password, workspaceId: workspace.id };
  });
}
