/**
 * Meta's Embedded Signup in the browser: the Facebook JS SDK's `FB.login` with the app's configuration
 * id. The popup reports the chosen WABA and number as a `WA_EMBEDDED_SIGNUP` message from facebook.com,
 * and the login answers with a short-lived code; both are needed to connect.
 */

interface FacebookSdk {
  init(options: { appId: string; version: string; xfbml?: boolean; cookie?: boolean }): void;
  login(
    callback: (response: { authResponse?: { code?: string } | null; status?: string }) => void,
    options: Record<string, unknown>,
  ): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

export interface SignupAssets {
  code: string;
  wabaId: string;
  phoneNumberId: string;
  businessId?: string;
}

export class SignupCancelled extends Error {}

let sdk: Promise<FacebookSdk> | undefined;

function loadSdk(appId: string, version: string): Promise<FacebookSdk> {
  sdk ??= new Promise<FacebookSdk>((resolve, reject) => {
    window.fbAsyncInit = () => {
      if (!window.FB) return reject(new Error('The Facebook SDK did not start'));
      window.FB.init({ appId, version, xfbml: false, cookie: true });
      resolve(window.FB);
    };
    const script = document.createElement('script');
    script.src = 'https://connect.facebook.net/en_US/sdk.js';
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.onerror = () => {
      sdk = undefined;
      reject(new Error('Could not load the Facebook SDK. Check that connect.facebook.net is reachable.'));
    };
    document.body.appendChild(script);
  });
  return sdk;
}

/** Opens Meta's signup popup and resolves with the code and the assets the business picked. */
export async function runEmbeddedSignup(config: {
  appId: string;
  configId: string;
  graphVersion: string;
}): Promise<SignupAssets> {
  const FB = await loadSdk(config.appId, config.graphVersion);
  return new Promise<SignupAssets>((resolve, reject) => {
    let assets: Omit<SignupAssets, 'code'> | undefined;
    let code: string | undefined;
    const finish = () => {
      if (!assets || !code) return;
      window.removeEventListener('message', onMessage);
      resolve({ ...assets, code });
    };
    const onMessage = (event: MessageEvent) => {
      if (!/(^|\.)facebook\.com$/.test(new URL(event.origin).hostname)) return;
      let message: { type?: string; event?: string; data?: Record<string, string> };
      try {
        message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      } catch {
        return;
      }
      if (message?.type !== 'WA_EMBEDDED_SIGNUP') return;
      if (message.event === 'CANCEL' || message.event === 'ERROR') {
        window.removeEventListener('message', onMessage);
        reject(
          new SignupCancelled(message.data?.error_message ?? 'Sign-up was cancelled in the Meta window'),
        );
        return;
      }
      if (message.event?.startsWith('FINISH') && message.data?.waba_id && message.data.phone_number_id) {
        assets = {
          wabaId: message.data.waba_id,
          phoneNumberId: message.data.phone_number_id,
          ...(message.data.business_id ? { businessId: message.data.business_id } : {}),
        };
        finish();
      }
    };
    window.addEventListener('message', onMessage);
    FB.login(
      (response) => {
        code = response.authResponse?.code ?? undefined;
        if (!code) {
          window.removeEventListener('message', onMessage);
          reject(new SignupCancelled('Sign-up was not completed in the Meta window'));
          return;
        }
        finish();
        // The FINISH message normally comes first; give it a moment before giving up on it.
        window.setTimeout(() => {
          if (assets) return;
          window.removeEventListener('message', onMessage);
          reject(new SignupCancelled('Meta did not report which number was chosen. Try again.'));
        }, 15_000);
      },
      {
        config_id: config.configId,
        response_type: 'code',
        override_default_response_type: true,
        extras: { setup: {}, featureType: '', sessionInfoVersion: '3' },
      },
    );
  });
}
