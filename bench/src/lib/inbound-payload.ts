import { metaJsonStringify, signBody } from '@openwaba/cloud-api';

export const BENCH_WABA_ID = '102290129340398';
export const BENCH_PHONE_NUMBER_ID = '106540352242922';

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
