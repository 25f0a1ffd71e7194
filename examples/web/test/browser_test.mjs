// Drives examples/web in a real browser (Debian's chromium through
// playwright-core): two users in two browser contexts against a tokkit_server
// serving the app with --web_root, on the embedded default (SQLite).
//
//   node browser_test.mjs --server <tokkit_server> --web-root <examples/web>
//        --media <testdata/media> --artifacts <dir> [--chromium /usr/bin/chromium]
//
// Prints one line per check, "ok - <name>" or "not ok - <name>: <why>", and
// exits non-zero if any failed. Screenshots of the main pages (and of the
// page a failed check was on) go to --artifacts.
import {spawn} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
for (const k of ['server', 'web-root', 'media', 'artifacts']) {
  if (!args[k]) throw new Error(`--${k} is required`);
}
fs.mkdirSync(args.artifacts, {recursive: true});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokkit-browser-'));
const PASSWORD = 'blue-kettle-42';

// ------------------------------------------------------------------ server
let server = null;
function startServer(extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(args.server, [
      `--data_dir=${dataDir}`, '--listen=127.0.0.1:0', '--http_listen=127.0.0.1:0',
      '--metrics_listen=', `--web_root=${path.resolve(args['web-root'])}`, ...extra,
    ], {stdio: ['ignore', 'pipe', 'pipe']});
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30000);
    const onData = (d) => {
      log += d;
      fs.appendFileSync(path.join(args.artifacts, 'server.log'), d);
      const m = log.match(/HTTP on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m && /listening on/.test(log)) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stderr.off('data', onData);
        proc.stdout.on('data', (x) => fs.appendFileSync(path.join(args.artifacts, 'server.log'), x));
        proc.stderr.on('data', (x) => fs.appendFileSync(path.join(args.artifacts, 'server.log'), x));
        resolve({proc, base: m[1]});
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited (${code}):\n${log}`)));
  });
}
function stopServer(s) {
  return new Promise((resolve) => {
    s.proc.removeAllListeners('exit');
    s.proc.on('exit', resolve);
    s.proc.kill('SIGTERM');
  });
}

async function rpc(base, method, body, token) {
  const headers = {'content-type': 'application/json'};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/${method}`, {method: 'POST', headers, body: JSON.stringify(body)});
  const json = await res.json();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// An admin and a merchant with one product for sale, made over HTTP the way
// an operator would: the admin role needs a restart with --admin.
async function seedShop() {
  let s = await startServer();
  for (const u of ['shopadmin', 'merchant']) {
    await rpc(s.base, 'tokkit.account.v1.AccountService/Register',
        {username: u, email: `${u}@example.com`, password: PASSWORD});
  }
  await stopServer(s);
  s = await startServer(['--admin=shopadmin']);
  const login = async (u) => (await rpc(s.base, 'tokkit.account.v1.AccountService/Login',
      {login: u, password: PASSWORD}));
  const admin = await login('shopadmin');
  const merchantId = (await login('merchant')).user.id;
  await rpc(s.base, 'tokkit.account.v1.AccountService/SetRole',
      {userId: merchantId, role: 'ROLE_MERCHANT'}, admin.tokens.accessToken);
  const category = await rpc(s.base, 'tokkit.commerce.v1.CommerceService/CreateCategory',
      {name: 'Kitchen'}, admin.tokens.accessToken);
  const merchant = (await login('merchant')).tokens.accessToken;
  const product = await rpc(s.base, 'tokkit.commerce.v1.CommerceService/CreateProduct', {
    categoryId: category.id, name: 'Tokkit mug', description: 'Holds 350 ml of tea.',
    shippingCents: 500, forSale: true,
    skus: [{attributes: 'colour=orange', priceCents: 1999, stock: 5}],
  }, merchant);
  await rpc(s.base, 'tokkit.commerce.v1.CommerceService/AddProductImage', {
    productId: product.id,
    image: fs.readFileSync(path.join(args.media, 'product.png')).toString('base64'),
  }, merchant);
  return s;
}

// ------------------------------------------------------------------ TOTP
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
// RFC 6238 with the defaults authenticator apps use (SHA-1, 6 digits, 30 s).
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
// Keeps clear of a step boundary so the server sees the same step.
async function currentStep() {
  if (Date.now() % 30000 > 28500) await new Promise((r) => setTimeout(r, 2000));
  return Math.floor(Date.now() / 30000);
}

// ------------------------------------------------------------------ checks
const results = [];
async function check(name, page, fn) {
  if (results.some((r) => !r.ok)) {
    results.push({name, ok: false, why: 'not run: an earlier check failed'});
    console.log(`not ok - ${name}: not run: an earlier check failed`);
    return;
  }
  try {
    await fn();
    results.push({name, ok: true});
    console.log(`ok - ${name}`);
  } catch (e) {
    results.push({name, ok: false, why: e.message});
    console.log(`not ok - ${name}: ${e.message.split('\n')[0]}`);
    console.log(e.stack);
    for (const [label, p] of Object.entries(page)) {
      await p.screenshot({path: path.join(args.artifacts, `failed-${name}-${label}.png`), fullPage: true})
          .catch(() => {});
    }
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }
async function shot(page, name) {
  await page.screenshot({path: path.join(args.artifacts, `${name}.png`), fullPage: true});
}

async function signUp(page, base, username) {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('nav button[data-view="account"]');
  const form = page.locator('#signup-form');
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="email"]').fill(`${username}@example.com`);
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction((u) => document.querySelector('#whoami').textContent === `@${u}`, username);
}

async function main() {
  server = await seedShop();
  const {base} = server;
  const browser = await chromium.launch({
    executablePath: args.chromium || '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags chromium keeps dialling
    // Google's hosts, which a closed network refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const alice = await (await browser.newContext({viewport: {width: 1100, height: 800}})).newPage();
  const bob = await (await browser.newContext({viewport: {width: 1100, height: 800}})).newPage();
  const pages = {alice, bob};
  const consoleErrors = [];
  for (const [who, p] of Object.entries(pages)) {
    p.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`));
  }
  const mediaStatuses = [];
  bob.on('response', (r) => {
    if (r.url().includes('/media/v1/videos/')) mediaStatuses.push(r.status());
  });
  let videoId = '';

  await check('signup', pages, async () => {
    await signUp(alice, base, 'alice');
    await alice.waitForSelector('#feed-list');
  });

  await check('totp_login', pages, async () => {
    await alice.click('nav button[data-view="account"]');
    await alice.click('#totp-begin');
    await alice.waitForSelector('#totp-enroll:not([hidden])');
    const qrLoaded = await alice.$eval('#totp-qr', (img) => img.decode().then(() => img.naturalWidth > 0));
    assert(qrLoaded, 'the QR code image did not load');
    const secret = (await alice.textContent('#totp-secret')).trim();
    assert(secret.length >= 16, `no TOTP secret shown (got "${secret}")`);
    // Confirm with the previous step's code, log in with the current one: a
    // code is single use, and this way the test need not wait 30 s.
    const step = await currentStep();
    await alice.fill('#totp-confirm input[name="code"]', totp(secret, step - 1));
    await alice.click('#totp-confirm button[type="submit"]');
    await alice.waitForFunction(() => /is on/.test(document.querySelector('#totp-state').textContent));
    await shot(alice, 'account');
    await alice.click('#logout');
    await alice.waitForSelector('#login-form');
    await alice.fill('#login-form input[name="login"]', 'alice');
    await alice.fill('#login-form input[name="password"]', PASSWORD);
    await alice.click('#login-form button[type="submit"]');
    await alice.waitForSelector('#totp-field:not([hidden])');
    await alice.fill('#totp-field input', totp(secret, await currentStep()));
    await alice.click('#login-form button[type="submit"]');
    await alice.waitForFunction(() => document.querySelector('#whoami').textContent === '@alice');
  });

  await check('publish', pages, async () => {
    await alice.click('nav button[data-view="publish"]');
    await alice.fill('#publish-form input[name="title"]', 'Test pattern with a tone');
    await alice.fill('#publish-form textarea[name="description"]', 'Published from the browser.');
    await alice.fill('#publish-form input[name="tags"]', 'test pattern');
    await alice.setInputFiles('#publish-form input[name="video"]', path.join(args.media, 'clip.webm'));
    await alice.setInputFiles('#publish-form input[name="cover"]', path.join(args.media, 'cover.png'));
    await alice.click('#publish-form button[type="submit"]');
    const done = await alice.waitForSelector('[data-testid="published"]', {timeout: 20000});
    videoId = (await done.textContent()).match(/video (\d+)/)[1];
    await shot(alice, 'publish');
  });

  await check('feeds', pages, async () => {
    await signUp(bob, base, 'bob');
    await bob.click('nav button[data-view="feed"]');
    await bob.waitForSelector(`.video-card[data-video-id="${videoId}"]`);
    await bob.click('#feed-foryou');
    await bob.waitForSelector(`.video-card[data-video-id="${videoId}"]`);
    await bob.click('#feed-latest');
    await bob.waitForSelector(`.video-card[data-video-id="${videoId}"] video`);
    const poster = await bob.$eval(`.video-card[data-video-id="${videoId}"] video`, (v) => v.poster);
    assert(/\/media\/v1\/covers\//.test(poster), `the cover is not the poster (${poster})`);
  });

  await check('play_and_seek', pages, async () => {
    const video = `.video-card[data-video-id="${videoId}"] video`;
    await bob.$eval(video, (v) => { v.muted = true; return v.play(); });
    await bob.waitForFunction((sel) => {
      const v = document.querySelector(sel);
      return v.readyState >= 2 && v.currentTime > 0;
    }, video, {timeout: 15000});
    const duration = await bob.$eval(video, (v) => v.duration);
    assert(duration > 3 && duration < 5, `duration ${duration}, expected about 4 s`);
    const seeked = await bob.$eval(video, (v) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no seeked event')), 10000);
      v.addEventListener('seeked', () => { clearTimeout(t); resolve(v.currentTime); }, {once: true});
      v.currentTime = 2.5;
    }));
    assert(Math.abs(seeked - 2.5) < 0.6, `seeked to ${seeked}, wanted 2.5`);
    await bob.waitForFunction((sel) => document.querySelector(sel).readyState >= 2, video);
    await bob.$eval(video, (v) => v.pause());
    assert(mediaStatuses.includes(206), `the player made no ranged request (${mediaStatuses})`);
    assert(!mediaStatuses.some((s) => s >= 400), `media errors: ${mediaStatuses}`);
    await shot(bob, 'feed');
  });

  await check('like_comment_follow', pages, async () => {
    const card = bob.locator(`.video-card[data-video-id="${videoId}"]`);
    await card.locator('button.like').click();
    await card.locator('button.like.liked').waitFor();
    assert((await card.locator('button.like').textContent()).includes('1'), 'like count is not 1');
    await card.locator('.comment-form input').fill('Lovely colours!');
    await card.locator('.comment-form button').click();
    await card.locator('.comments li', {hasText: 'Lovely colours!'}).waitFor();
    await card.locator('button.follow').click();
    await card.locator('button.follow', {hasText: 'Following'}).waitFor();
    // The server agrees, not just the page.
    const {states} = await rpc(base, 'tokkit.social.v1.SocialService/GetVideoStates', {videoIds: [videoId]});
    assert(states[0].likeCount === '1' && states[0].commentCount === '1',
        `server state ${JSON.stringify(states[0])}`);
  });

  await check('live_chat', pages, async () => {
    await alice.click('nav button[data-view="chat"]');
    await alice.waitForFunction(() => document.querySelector('#chat-status').textContent === 'live');
    await bob.locator(`.video-card[data-video-id="${videoId}"] button.message`).click();
    await bob.waitForSelector('#chat-form:not([hidden])');
    await bob.waitForFunction(() => document.querySelector('#chat-status').textContent === 'live');
    await bob.fill('#chat-form input[name="body"]', 'Hi Alice, great video!');
    await bob.click('#chat-form button[type="submit"]');
    // Alice's page has not been reloaded: the message arrives over her socket.
    await alice.waitForFunction(() => /New message: Hi Alice/.test(document.querySelector('#toast').textContent) ||
        [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes('Hi Alice')),
    null, {timeout: 10000});
    await alice.locator('#conversations button', {hasText: 'bob'}).click();
    await alice.locator('#messages li', {hasText: 'Hi Alice, great video!'}).waitFor();
    await alice.fill('#chat-form input[name="body"]', 'Thanks Bob!');
    await alice.click('#chat-form button[type="submit"]');
    await bob.locator('#messages li', {hasText: 'Thanks Bob!'}).waitFor({timeout: 10000});
    await bob.locator('#messages li.mine', {hasText: 'Hi Alice'}).waitFor();
    await shot(alice, 'chat-alice');
    await shot(bob, 'chat-bob');
  });

  await check('buy', pages, async () => {
    await bob.click('nav button[data-view="shop"]');
    const card = bob.locator('.product-card', {hasText: 'Tokkit mug'});
    await card.waitFor();
    const imageOk = await card.locator('img').evaluate((img) => img.decode().then(() => img.naturalWidth > 0));
    assert(imageOk, 'the product image did not load');
    await shot(bob, 'shop');
    await card.locator('button', {hasText: 'View'}).click();
    await bob.locator('.product-detail button.add-to-cart').click();
    await bob.waitForFunction(() => /Added Tokkit mug/.test(document.querySelector('#toast').textContent));
    await bob.click('#shop-cart');
    const address = bob.locator('.address-form');
    await address.waitFor();
    for (const [name, value] of Object.entries({recipient: 'Bob', phone: '+86 138 0000 0000',
      line1: '1 Tea Street', city: 'Hangzhou', region: 'Zhejiang', postal_code: '310000',
      country_code: 'CN'})) {
      await address.locator(`input[name="${name}"]`).fill(value);
    }
    await address.locator('button[type="submit"]').click();
    await bob.locator('button.checkout:not([disabled])').click();
    await bob.locator('.order-status', {hasText: 'PENDING_PAYMENT'}).waitFor();
    await bob.locator('button.pay').click();
    await bob.locator('.order-status', {hasText: 'PAID'}).waitFor();
    const orderId = await bob.locator('table.orders tr').getAttribute('data-order-id');
    const token = await bob.evaluate(() => JSON.parse(sessionStorage.getItem('tokkit.session')).access);
    const order = await rpc(base, 'tokkit.order.v1.OrderService/GetOrder', {orderId}, token);
    assert(order.status === 'PAID' && order.totalCents === '2499', `server order ${JSON.stringify(order)}`);
    await shot(bob, 'order');
  });

  await check('no_page_errors', pages, async () => {
    assert(consoleErrors.length === 0, `uncaught errors: ${consoleErrors.join('; ')}`);
  });

  await browser.close();
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.log(`not ok - setup: ${e.message}`);
  results.push({name: 'setup', ok: false});
}
if (server) await stopServer(server);
fs.rmSync(dataDir, {recursive: true, force: true});
const failed = results.filter((r) => !r.ok).length;
if (failed || !results.length) exitCode = 1;
console.log(`${results.length - failed} passed, ${failed} failed; artifacts in ${args.artifacts}`);
process.exit(exitCode);
