/**
 * The popup page. It posts `{type:'WA_EMBEDDED_SIGNUP', event:'FINISH', data:{phone_number_id, waba_id,
 * business_id, code}}` as a JSON string to `window.opener`, like Meta's (which sends the code through
 * FB.login instead; here there is no SDK, so the code rides in `data`). Cancel sends event `CANCEL`.
 */
interface Tree {
  id: string;
  name: string;
  wabas: { id: string; name: string; numbers: { id: string; display: string; name: string }[] }[];
}

export function signupPage(input: { appId: string; origin: string; tree: Tree[] }): string {
  // `<` escaped so names cannot close the script element.
  const data = JSON.stringify(input).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Embedded Signup (simulated)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1c1e21}
h1{font-size:1.2rem}fieldset{border:1px solid #ccd0d5;border-radius:8px;margin:0 0 1rem;padding:.8rem}
label{display:block;margin:.4rem 0}select,input{width:100%;padding:.4rem;box-sizing:border-box}
button{padding:.5rem 1rem;margin-right:.5rem;border-radius:6px;border:0;background:#1877f2;color:#fff}
button.secondary{background:#e4e6eb;color:#1c1e21}#error{color:#c00}
</style></head><body>
<h1>Connect WhatsApp (Graph API simulator)</h1>
<p>Pick existing assets or leave a choice on "new" to create it.</p>
<form id="f">
<fieldset><legend>Business portfolio</legend>
<select id="business"></select><label>New business name <input id="business_name" value="My Business"></label></fieldset>
<fieldset><legend>WhatsApp Business account</legend>
<select id="waba"></select><label>New WABA name <input id="waba_name" value="My WABA"></label></fieldset>
<fieldset><legend>Phone number</legend>
<select id="number"></select>
<label>New display number <input id="display_phone_number" placeholder="+1 555-010-0001"></label>
<label>Display name <input id="verified_name" value="My Business"></label></fieldset>
<button type="submit" id="finish">Finish</button><button type="button" class="secondary" id="cancel">Cancel</button>
<p id="error"></p>
</form>
<script>
const input = ${data};
const $ = (id) => document.getElementById(id);
function options(select, items, label) {
  select.innerHTML = '';
  const fresh = document.createElement('option'); fresh.value = ''; fresh.textContent = '+ new';
  select.appendChild(fresh);
  for (const item of items) {
    const o = document.createElement('option'); o.value = item.id; o.textContent = label(item) + ' (' + item.id + ')';
    select.appendChild(o);
  }
  if (items.length) select.value = items[0].id;
}
function refresh(level) {
  const b = input.tree.find((x) => x.id === $('business').value);
  if (level < 1) options($('waba'), b ? b.wabas : [], (x) => x.name);
  const w = b && b.wabas.find((x) => x.id === $('waba').value);
  if (level < 2) options($('number'), w ? w.numbers : [], (x) => x.display + ' ' + x.name);
}
options($('business'), input.tree, (x) => x.name);
refresh(0);
$('business').onchange = () => refresh(0);
$('waba').onchange = () => refresh(1);
function post(message) {
  if (window.opener) window.opener.postMessage(JSON.stringify(message), input.origin);
}
$('cancel').onclick = () => {
  post({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' }, version: 3 });
  window.close();
};
$('f').onsubmit = async (event) => {
  event.preventDefault();
  const body = { app_id: input.appId };
  const put = (k, v) => { if (v) body[k] = v; };
  put('business_id', $('business').value); put('business_name', $('business_name').value);
  put('waba_id', $('waba').value); put('waba_name', $('waba_name').value);
  put('phone_number_id', $('number').value); put('display_phone_number', $('display_phone_number').value);
  put('verified_name', $('verified_name').value);
  const res = await fetch('/_sim/signup/complete', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) { $('error').textContent = (out.error && out.error.message) || 'signup failed'; return; }
  post({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', version: 3,
    data: { phone_number_id: out.phone_number_id, waba_id: out.waba_id, business_id: out.business_id, code: out.code } });
  document.body.innerHTML = '<p>Done. You can close this window.</p>';
  setTimeout(() => window.close(), 300);
};
</script></body></html>`;
}
