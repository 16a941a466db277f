import { metaJsonStringify, signBody } from '@openwaba/cloud-api';
import type pg from 'pg';

const BENCH_WABA_ID = '102290129340398';
const BENCH_PHONE_NUMBER_ID = '106540352242922';

/** The WABA and connected channel these payloads are addressed to, in a workspace; returns the channel id. */
export async function insertBenchChannel(db: pg.Client, workspaceId: string, tag: string): Promise<string> {
  const wabaId = `waba_${tag}`;
  const channelId = `ch_${tag}`;
  await db.query('insert into wabas (id, workspace_id, external_id) values ($1, $2, $3)', [
    wabaId,
    workspaceId,
    BENCH_WABA_ID,
  ]);
  await db.query(
    `insert into channels (id, workspace_id, waba_id, phone_number_id, status) values ($1, $2, $3, $4, 'connected')`,
    [channelId, workspaceId, wabaId, BENCH_PHONE_NUMBER_ID],
  );
  return channelId;
}

/** A signed webhook POST carrying one inbound text message, as Meta sends it. */
export function signedInboundText(
  appSecret: string,
  wamid: string,
  from: string,
  text: string,
): { body: string; headers: Record<string, string> } {
  const body = metaJsonStringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: BENCH_WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: BENCH_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Zoë' }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, appSecret) },
  };
}
