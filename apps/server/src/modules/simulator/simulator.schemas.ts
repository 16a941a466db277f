import { z } from 'zod';

const phoneNumberId = z.string().regex(/^\d{1,30}$/, 'a phone number id (digits)');
const waId = z.string().regex(/^\+?\d{4,15}$/, 'a WhatsApp number: digits with the country code');

export const customerParams = z.object({ waId });
export const numberQuery = z.object({ phoneNumberId });

export const statusReply = z.object({
  enabled: z.literal(true).describe('The in-process Graph API simulator is running (embedded mode)'),
});

export const signupBody = z.object({
  businessName: z.string().trim().min(1).max(100).optional(),
  wabaName: z.string().trim().min(1).max(100).optional(),
  displayPhoneNumber: z
    .string()
    .trim()
    .regex(/^\+?[\d\s-]{6,20}$/, 'a phone number such as +1 555-010-0001')
    .optional(),
  verifiedName: z.string().trim().min(1).max(100).optional(),
  reconnectPhoneNumberId: phoneNumberId
    .optional()
    .describe('Sign up again with the assets of this connected number (to reconnect it) instead of new ones'),
});

export const signupReply = z.object({
  code: z.string().describe('Single-use, short-lived: pass it on to the embedded-signup channel route'),
  businessId: z.string(),
  wabaId: z.string(),
  phoneNumberId: z.string(),
});

export const customerSchema = z.object({ waId: z.string(), name: z.string() }).meta({ id: 'SimCustomer' });
export const customerListReply = z.object({ items: z.array(customerSchema) });
export const createCustomerBody = z.object({
  name: z.string().trim().min(1).max(60),
  waId: waId.optional().describe('Generated when absent'),
});

export const phoneMessageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['to_customer', 'from_customer']),
    type: z.string(),
    at: z.string(),
    status: z.string(),
    header: z.string().nullable(),
    text: z.string(),
    footer: z.string().nullable(),
    buttons: z.array(
      z.object({
        id: z.string().nullable(),
        title: z.string(),
        kind: z.enum(['reply', 'quick_reply', 'url', 'call', 'list', 'other']),
      }),
    ),
  })
  .meta({ id: 'SimPhoneMessage' });
export const messagesReply = z.object({ items: z.array(phoneMessageSchema) });

export const sendBody = z
  .object({
    phoneNumberId,
    text: z.string().trim().min(1).max(4096).optional(),
    reply: z
      .object({
        messageId: z.string().min(1).describe('The business message whose button was tapped'),
        id: z.string().min(1),
        title: z.string().min(1).max(25),
        kind: z.enum(['reply', 'quick_reply']),
      })
      .optional(),
  })
  .refine((body) => (body.text === undefined) !== (body.reply === undefined), {
    message: 'send either text or a button reply',
    path: ['text'],
  });
export const sendReply = z.object({ id: z.string() });

export const readBody = z.object({ phoneNumberId });
export const readReply = z.object({ read: z.number() });
