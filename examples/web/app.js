// tokkit example web app: a plain ES module, no build step and no libraries.
// It talks to the tokkit HTTP gateway the way any web or mobile client can:
//   - every RPC over the Connect protocol with JSON bodies (POST
//     /<package>.<Service>/<Method>), errors as Connect JSON errors;
//   - publishing as a Connect client stream (enveloped JSON messages);
//   - chat over the WebSocket at /v1/chat/ws (JSON frames);
//   - media by the URLs the RPCs return (<video src>, <img src>), which the
//     gateway serves with byte ranges so players can seek.
// int64 fields arrive as JSON strings (protobuf's JSON mapping); ids are kept
// as strings and compared as strings or BigInts, never as lossy numbers.

const ACCOUNT = 'tokkit.account.v1.AccountService';
const FEED = 'tokkit.feed.v1.FeedService';
const SOCIAL = 'tokkit.social.v1.SocialService';
const COMMERCE = 'tokkit.commerce.v1.CommerceService';
const ORDER = 'tokkit.order.v1.OrderService';
const CHUNK_BYTES = 64 * 1024;  // the chunk size feed.proto recommends

const $ = (sel, root = document) => root.querySelector(sel);

// ---------------------------------------------------------------- session
// Tokens live in sessionStorage: they survive a reload, not the tab.
const session = JSON.parse(sessionStorage.getItem('tokkit.session') || '{}');
function saveSession() {
  sessionStorage.setItem('tokkit.session', JSON.stringify(session));
}
function signedIn() { return Boolean(session.access); }
function myId() { return session.user ? String(session.user.id) : ''; }
function setTokens(tokens) {
  session.access = tokens.accessToken;
  session.refresh = tokens.refreshToken;
  saveSession();
}
function clearSession() {
  for (const k of Object.keys(session)) delete session[k];
  sessionStorage.removeItem('tokkit.session');
}

// ---------------------------------------------------------------- Connect
class RpcError extends Error {
  constructor(code, message, reason) {
    super(message);
    this.code = code;      // Connect code name, e.g. "unauthenticated"
    this.reason = reason;  // tokkit reason, e.g. "TOTP_REQUIRED"
  }
}

function errorFrom(json, response) {
  const err = json && json.code ? json : {code: 'unknown', message: response.statusText};
  let reason = response.headers.get('tokkit-reason') || '';
  for (const d of err.details || []) {
    if (d.debug && d.debug.reason) reason = d.debug.reason;
  }
  return new RpcError(err.code, err.message || err.code, reason);
}

function authHeaders(headers) {
  if (session.access) headers.authorization = `Bearer ${session.access}`;
  return headers;
}

let refreshing = null;
// One refresh at a time: the refresh token rotates, so two concurrent
// refreshes would revoke each other.
async function refreshTokens() {
  if (!session.refresh) return false;
  refreshing ??= (async () => {
    try {
      const res = await fetch(`/${ACCOUNT}/Refresh`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({refreshToken: session.refresh}),
      });
      if (!res.ok) return false;
      setTokens((await res.json()).tokens);
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// A 401 without a reason is a missing or expired access token: refresh it
// once and resend. (A 401 with a reason, such as TOTP_INVALID, is about the
// request itself.)
async function withRefresh(send) {
  let res = await send();
  if (res.status === 401 && session.refresh && !res.headers.get('tokkit-reason')) {
    if (await refreshTokens()) {
      res = await send();
    } else {
      signOutLocally('Your session ended; please log in again.');
    }
  }
  return res;
}

// A unary RPC: JSON in, JSON out.
async function call(method, body = {}) {
  const res = await withRefresh(() => fetch(`/${method}`, {
    method: 'POST',
    headers: authHeaders({'content-type': 'application/json'}),
    body: JSON.stringify(body),
  }));
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
  if (!res.ok) throw errorFrom(json, res);
  return json;
}

// Connect streaming framing: 1 flag byte, 4-byte big-endian length, message.
function envelope(message) {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(5 + json.length);
  new DataView(out.buffer).setUint32(1, json.length);
  out.set(json, 5);
  return out;
}

function parseEnvelopes(bytes) {
  const messages = [];
  let end = null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 5 <= bytes.length;) {
    const flags = bytes[i];
    const length = view.getUint32(i + 1);
    const text = new TextDecoder().decode(bytes.subarray(i + 5, i + 5 + length));
    i += 5 + length;
    if (flags & 0x02) end = JSON.parse(text || '{}');
    else messages.push(JSON.parse(text));
  }
  return {messages, end};
}

// A client-streaming RPC: the messages go out as one enveloped body (the
// upload counts only when the body ends, like a half-close on gRPC).
async function callClientStream(method, messages) {
  const res = await withRefresh(() => fetch(`/${method}`, {
    method: 'POST',
    headers: authHeaders({'content-type': 'application/connect+json'}),
    body: new Blob(messages.map(envelope)),
  }));
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) {
    let json = null;
    try { json = JSON.parse(new TextDecoder().decode(bytes)); } catch { /* not JSON */ }
    throw errorFrom(json, res);
  }
  const {messages: out, end} = parseEnvelopes(bytes);
  if (end && end.error) throw errorFrom(end.error, res);
  return out[0];
}

function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

// ---------------------------------------------------------------- helpers
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

let toastTimer;
function toast(message, isError = false) {
  const t = $('#toast');
  t.textContent = message;
  t.className = isError ? 'error' : '';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// Runs an action, reporting a failure instead of leaving a silent console.
async function attempt(action) {
  try {
    return await action();
  } catch (e) {
    toast(e.message || String(e), true);
    console.warn(e);
    return undefined;
  }
}

function money(cents) { return `¥${(Number(cents || 0) / 100).toFixed(2)}`; }
function when(ms) { return new Date(Number(ms)).toLocaleString(); }
function formData(form) { return Object.fromEntries(new FormData(form).entries()); }

// ---------------------------------------------------------------- views
let currentView = 'feed';
function show(view) {
  if (!signedIn() && ['publish', 'chat'].includes(view)) view = 'account';
  currentView = view;
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${view}`;
  for (const b of document.querySelectorAll('header nav button')) {
    b.classList.toggle('active', b.dataset.view === view);
  }
  ({feed: loadFeed, chat: loadConversations, shop: showProducts, account: renderAccount,
    publish: () => {}})[view]();
}

function renderChrome() {
  for (const e of document.querySelectorAll('.signed-in')) e.hidden = !signedIn();
  $('#whoami').textContent = signedIn() ? `@${session.user.username}` : 'not signed in';
}

// ---------------------------------------------------------------- account
async function finishLogin(response) {
  session.user = response.user;
  setTokens(response.tokens);
  renderChrome();
  connectChat();
  show('feed');
}

async function login(event) {
  event.preventDefault();
  const f = formData(event.target);
  try {
    await finishLogin(await call(`${ACCOUNT}/Login`,
        {login: f.login, password: f.password, totpCode: f.totp_code || ''}));
    event.target.reset();
    $('#totp-field').hidden = true;
  } catch (e) {
    if (e.reason === 'TOTP_REQUIRED' || e.reason === 'TOTP_INVALID') {
      $('#totp-field').hidden = false;
      $('#totp-field input').focus();
    }
    toast(e.message, true);
  }
}

async function signup(event) {
  event.preventDefault();
  const f = formData(event.target);
  await attempt(async () => {
    await call(`${ACCOUNT}/Register`, {username: f.username, email: f.email, password: f.password});
    await finishLogin(await call(`${ACCOUNT}/Login`, {login: f.username, password: f.password}));
    event.target.reset();
    toast(`Welcome, ${f.username}!`);
  });
}

function signOutLocally(message) {
  clearSession();
  disconnectChat();
  renderChrome();
  if (message) toast(message, true);
  show('account');
}

async function logout() {
  await call(`${ACCOUNT}/Logout`, {}).catch(() => {});
  signOutLocally();
}

async function renderAccount() {
  $('#signed-out').hidden = signedIn();
  $('#signed-in').hidden = !signedIn();
  if (!signedIn()) return;
  await attempt(async () => {
    const {user} = await call(`${ACCOUNT}/GetUser`, {});
    session.user = user;
    saveSession();
    const stats = await call(`${SOCIAL}/GetRelationStats`, {userId: user.id});
    $('#profile-name').textContent = `${user.displayName} (@${user.username})`;
    $('#profile-stats').textContent =
        `${stats.followers || 0} followers · ${stats.following || 0} following · role ${user.role}`;
    const form = $('#profile-form');
    form.display_name.value = user.displayName || '';
    form.bio.value = user.bio || '';
    $('#totp-state').textContent = user.totpEnabled
        ? 'Two-factor sign-in is on.' : 'Two-factor sign-in is off.';
    $('#totp-begin').hidden = Boolean(user.totpEnabled);
    if (user.totpEnabled) $('#totp-enroll').hidden = true;
  });
}

async function saveProfile(event) {
  event.preventDefault();
  const f = formData(event.target);
  await attempt(async () => {
    await call(`${ACCOUNT}/UpdateProfile`, {displayName: f.display_name, bio: f.bio});
    toast('Profile saved');
    renderAccount();
  });
}

async function beginTotp() {
  await attempt(async () => {
    const r = await call(`${ACCOUNT}/BeginTotpEnrollment`, {});
    $('#totp-qr').src = `data:image/png;base64,${r.qrPng}`;
    $('#totp-secret').textContent = r.secretBase32;
    $('#totp-enroll').hidden = false;
  });
}

async function confirmTotp(event) {
  event.preventDefault();
  const {code} = formData(event.target);
  await attempt(async () => {
    await call(`${ACCOUNT}/ConfirmTotp`, {code});
    event.target.reset();
    toast('Two-factor sign-in is on');
    renderAccount();
  });
}

// ---------------------------------------------------------------- feed
const feed = {mode: 'latest', pageToken: ''};

async function loadFeed(more = false) {
  if (!more) {
    feed.pageToken = '';
    $('#feed-list').replaceChildren();
  }
  await attempt(async () => {
    const method = feed.mode === 'latest' ? 'ListLatest' : 'ForYou';
    const page = await call(`${FEED}/${method}`, {pageToken: feed.pageToken, pageSize: 10});
    const videos = page.videos || [];
    feed.pageToken = page.nextPageToken || '';
    $('#feed-more').hidden = !feed.pageToken;
    if (!videos.length && !more) {
      $('#feed-list').append(el('p', {class: 'muted'}, 'No videos yet.'));
      return;
    }
    const ids = videos.map((v) => v.id);
    const {states = []} = await call(`${SOCIAL}/GetVideoStates`, {videoIds: ids});
    const stateOf = new Map(states.map((s) => [String(s.videoId), s]));
    const authors = [...new Set(videos.map((v) => String(v.authorId)))]
        .filter((a) => a !== myId());
    const following = new Map();
    if (signedIn() && authors.length) {
      const r = await call(`${SOCIAL}/IsFollowing`, {userIds: authors});
      authors.forEach((a, i) => following.set(a, Boolean((r.following || [])[i])));
    }
    for (const v of videos) {
      $('#feed-list').append(videoCard(v, stateOf.get(String(v.id)) || {}, following));
    }
  });
}

function videoCard(v, state, following) {
  const id = String(v.id);
  const author = String(v.authorId);
  let viewed = false;
  const video = el('video', {
    src: v.videoUrl, poster: v.coverUrl || null, controls: true,
    preload: 'metadata', playsinline: true,
    onplay: () => {
      if (viewed) return;
      viewed = true;
      call(`${FEED}/RecordView`, {videoId: id}).catch(() => {});
    },
  });
  const likeButton = el('button', {class: state.likedByViewer ? 'like liked' : 'like'},
      `♥ ${state.likeCount || 0}`);
  likeButton.addEventListener('click', () => attempt(async () => {
    if (!signedIn()) return show('account');
    const liked = likeButton.classList.contains('liked');
    const r = await call(`${SOCIAL}/${liked ? 'UnlikeVideo' : 'LikeVideo'}`, {videoId: id});
    likeButton.classList.toggle('liked', Boolean(r.liked));
    likeButton.textContent = `♥ ${r.likeCount || 0}`;
  }));
  const actions = el('div', {class: 'actions'}, likeButton);
  if (signedIn() && author !== myId()) {
    const followButton = el('button', {class: 'follow'},
        following.get(author) ? 'Following' : 'Follow');
    followButton.addEventListener('click', () => attempt(async () => {
      const isFollowing = followButton.textContent === 'Following';
      const r = await call(`${SOCIAL}/${isFollowing ? 'Unfollow' : 'Follow'}`, {userId: author});
      followButton.textContent = r.following ? 'Following' : 'Follow';
    }));
    actions.append(followButton, el('button', {
      class: 'message', onclick: () => openChat(author, v.authorName),
    }, 'Message'));
  }
  const comments = el('ul', {class: 'comments'});
  const commentCount = el('span', {class: 'muted comment-count'}, `${state.commentCount || 0} comments`);
  const loadComments = () => attempt(async () => {
    const r = await call(`${SOCIAL}/ListComments`, {videoId: id, pageSize: 20});
    comments.replaceChildren(...(r.comments || []).map((c) =>
      el('li', {}, c.deleted ? el('i', {}, 'deleted') : c.body,
          el('span', {class: 'muted'}, ` · user ${c.authorId}`))));
  });
  const commentForm = el('form', {class: 'comment-form'},
      el('input', {name: 'body', placeholder: 'Add a comment', maxlength: 500, required: true}),
      el('button', {type: 'submit'}, 'Comment'));
  commentForm.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(async () => {
      if (!signedIn()) return show('account');
      await call(`${SOCIAL}/AddComment`, {videoId: id, body: commentForm.body.value});
      commentForm.reset();
      state.commentCount = Number(state.commentCount || 0) + 1;
      commentCount.textContent = `${state.commentCount} comments`;
      await loadComments();
    });
  });
  if (Number(state.commentCount || 0) > 0) loadComments();
  return el('article', {class: 'card video-card', dataset: {videoId: id}},
      video,
      el('h3', {}, v.title),
      el('p', {class: 'muted'}, `@${v.authorName} · ${when(v.createdAtMs)} · ${v.viewCount || 0} views`),
      v.description ? el('p', {}, v.description) : null,
      actions, commentCount, comments, commentForm);
}

// ---------------------------------------------------------------- publish
async function publish(event) {
  event.preventDefault();
  const form = event.target;
  const f = formData(form);
  const video = form.video.files[0];
  const cover = form.cover.files[0];
  const progress = $('#publish-progress');
  await attempt(async () => {
    form.querySelector('button').disabled = true;
    progress.hidden = false;
    progress.removeAttribute('value');
    const videoBytes = new Uint8Array(await video.arrayBuffer());
    const metadata = {
      title: f.title, description: f.description,
      tags: (f.tags || '').split(/\s+/).filter(Boolean),
      videoBytes: String(videoBytes.length),
    };
    // The server refuses the upload if what arrived differs from this.
    if (crypto.subtle) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', videoBytes));
      metadata.videoSha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    const messages = [{metadata}];
    for (let i = 0; i < videoBytes.length; i += CHUNK_BYTES) {
      messages.push({videoChunk: toBase64(videoBytes.subarray(i, i + CHUNK_BYTES))});
    }
    if (cover) {
      const coverBytes = new Uint8Array(await cover.arrayBuffer());
      for (let i = 0; i < coverBytes.length; i += CHUNK_BYTES) {
        messages.push({coverChunk: toBase64(coverBytes.subarray(i, i + CHUNK_BYTES))});
      }
    }
    const v = await callClientStream(`${FEED}/PublishVideo`, messages);
    $('#publish-result').replaceChildren(
        el('span', {'data-testid': 'published'}, `Published “${v.title}” (video ${v.id}).`));
    form.reset();
  }).finally(() => {
    form.querySelector('button').disabled = false;
    progress.hidden = true;
  });
}

// ---------------------------------------------------------------- chat
const chat = {ws: null, peer: '', peerName: '', lastSeen: 0n, shown: new Set(), retry: 500, unread: 0};

function connectChat() {
  if (!signedIn() || chat.ws) return;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // The token rides in the subprotocol list: browsers cannot set headers on
  // a WebSocket, and a token in the URL would end up in access logs.
  const ws = new WebSocket(`${scheme}//${location.host}/v1/chat/ws`,
      ['tokkit.chat.v1', `bearer.${session.access}`]);
  chat.ws = ws;
  ws.onopen = () => {
    chat.retry = 500;
    $('#chat-status').textContent = 'live';
    // After a reconnect, ask for what arrived while the socket was down.
    if (chat.lastSeen > 0n) ws.send(JSON.stringify({hello: {lastSeenMessageId: String(chat.lastSeen)}}));
  };
  ws.onmessage = (event) => onChatFrame(JSON.parse(event.data));
  ws.onclose = async (event) => {
    if (chat.ws !== ws) return;
    chat.ws = null;
    $('#chat-status').textContent = 'offline';
    if (!signedIn()) return;
    if (event.code === 1008 && !(await refreshTokens())) return;  // token refused
    setTimeout(connectChat, chat.retry);
    chat.retry = Math.min(chat.retry * 2, 15000);
  };
}

function disconnectChat() {
  const ws = chat.ws;
  chat.ws = null;
  if (ws) ws.close(1000);
  $('#chat-status').textContent = 'offline';
}

function noteSeen(id) {
  const n = BigInt(id);
  if (n > chat.lastSeen) chat.lastSeen = n;
}

function onChatFrame(frame) {
  if (frame.message) {
    const m = frame.message;
    noteSeen(m.id);
    const peer = String(m.senderId) === myId() ? String(m.recipientId) : String(m.senderId);
    if (currentView === 'chat' && peer === chat.peer) {
      showMessage(m);
      if (String(m.senderId) !== myId()) {
        call(`${SOCIAL}/MarkRead`, {peerId: peer, upToMessageId: m.id}).catch(() => {});
      }
    } else if (String(m.senderId) !== myId()) {
      chat.unread += 1;
      $('#unread').textContent = String(chat.unread);
      $('#unread').hidden = false;
      toast(`New message: ${m.body}`);
    }
    if (currentView === 'chat') loadConversations();
  } else if (frame.ack) {
    const pending = document.querySelector(`#messages li[data-client-id="${frame.ack.clientMessageId}"]`);
    if (pending) pending.remove();
    if (frame.ack.message) {
      noteSeen(frame.ack.message.id);
      showMessage(frame.ack.message);
    }
  } else if (frame.error) {
    const pending = document.querySelector(`#messages li[data-client-id="${frame.error.clientMessageId}"]`);
    if (pending) pending.classList.add('failed');
    toast(frame.error.message, true);
  }
}

function showMessage(m) {
  const id = String(m.id);
  if (chat.shown.has(id)) return;
  chat.shown.add(id);
  const mine = String(m.senderId) === myId();
  $('#messages').append(el('li', {class: mine ? 'mine' : '', dataset: {messageId: id}}, m.body));
}

async function loadConversations() {
  if (!signedIn()) return;
  chat.unread = 0;
  $('#unread').hidden = true;
  await attempt(async () => {
    const r = await call(`${SOCIAL}/ListConversations`, {limit: 50});
    $('#conversations').replaceChildren(...(r.conversations || []).map((c) => el('li', {},
        el('button', {onclick: () => openChat(String(c.peer.id), c.peer.displayName || c.peer.username)},
            `${c.peer.displayName || c.peer.username}`,
            Number(c.unreadCount || 0) ? el('span', {class: 'badge'}, c.unreadCount) : null))));
  });
}

async function openChat(peerId, peerName) {
  chat.peer = String(peerId);
  chat.peerName = peerName;
  chat.shown.clear();
  if (currentView !== 'chat') show('chat');
  $('#chat-peer').textContent = `Chat with ${peerName}`;
  $('#messages').replaceChildren();
  $('#chat-form').hidden = false;
  connectChat();
  await attempt(async () => {
    const r = await call(`${SOCIAL}/ListMessages`,
        {peerId: chat.peer, direction: 'DIRECTION_OLDER', pageSize: 50});
    const messages = (r.messages || []).reverse();
    messages.forEach(showMessage);
    const last = messages.at(-1);
    if (last) {
      noteSeen(last.id);
      await call(`${SOCIAL}/MarkRead`, {peerId: chat.peer, upToMessageId: last.id});
    }
  });
}

async function sendChat(event) {
  event.preventDefault();
  const form = event.target;
  const body = form.body.value;
  const clientMessageId = crypto.randomUUID();
  form.reset();
  $('#messages').append(el('li', {class: 'mine pending', dataset: {clientId: clientMessageId}}, body));
  const send = {recipientId: chat.peer, body, clientMessageId};
  if (chat.ws && chat.ws.readyState === WebSocket.OPEN) {
    chat.ws.send(JSON.stringify({send}));
  } else {
    // No live socket: the unary RPC stores it the same way (and the same
    // client_message_id makes a retry return the first message).
    await attempt(async () => onChatFrame({ack: {clientMessageId, message: await call(`${SOCIAL}/SendMessage`, send)}}));
  }
}

// ---------------------------------------------------------------- shop
function setShopTab(tab) {
  for (const id of ['shop-products', 'shop-cart', 'shop-orders']) {
    $(`#${id}`).classList.toggle('active', id === `shop-${tab}`);
  }
  $('#product-search').hidden = tab !== 'products';
}

async function showProducts(keyword = '') {
  setShopTab('products');
  await attempt(async () => {
    const r = await call(`${COMMERCE}/ListProducts`, {keyword: typeof keyword === 'string' ? keyword : '', pageSize: 20});
    const products = r.products || [];
    $('#shop-body').replaceChildren(products.length
      ? el('div', {class: 'cards'}, products.map((p) => el('article', {class: 'card product-card', dataset: {productId: String(p.id)}},
          (p.imageUrls || []).length ? el('img', {class: 'product', src: p.imageUrls[0], alt: p.name}) : null,
          el('h3', {}, p.name),
          el('p', {class: 'muted'}, `from ${money(p.minPriceCents)} · shipping ${money(p.shippingCents)}`),
          el('button', {onclick: () => showProduct(p.id)}, 'View'))))
      : el('p', {class: 'muted'}, 'No products found.'));
  });
}

async function showProduct(productId) {
  await attempt(async () => {
    const p = await call(`${COMMERCE}/GetProduct`, {productId});
    const rows = (p.skus || []).map((s) => {
      const qty = el('input', {type: 'number', min: 1, max: 99, value: 1, style: 'width:4rem'});
      return el('tr', {dataset: {skuId: String(s.id)}},
          el('td', {}, s.attributes || '—'), el('td', {}, money(s.priceCents)),
          el('td', {}, `${s.stock || 0} in stock`), el('td', {}, qty),
          el('td', {}, el('button', {
            class: 'add-to-cart', disabled: Number(s.stock || 0) === 0,
            onclick: () => attempt(async () => {
              if (!signedIn()) return show('account');
              await call(`${COMMERCE}/PutInCart`, {skuId: s.id, quantity: Number(qty.value)});
              toast(`Added ${p.name} to the cart`);
            }),
          }, 'Add to cart')));
    });
    $('#shop-body').replaceChildren(el('article', {class: 'card product-detail'},
        ...(p.imageUrls || []).map((u) => el('img', {class: 'product', src: u, alt: p.name, style: 'max-width:240px'})),
        el('h2', {}, p.name), el('p', {}, p.description || ''),
        el('table', {}, el('tbody', {}, rows)),
        el('button', {onclick: showProducts}, 'Back')));
  });
}

async function showCart() {
  setShopTab('cart');
  await attempt(async () => {
    const cart = await call(`${COMMERCE}/GetCart`, {});
    const lines = cart.lines || [];
    if (!lines.length) {
      $('#shop-body').replaceChildren(el('p', {class: 'muted'}, 'Your cart is empty.'));
      return;
    }
    const {addresses = []} = await call(`${ACCOUNT}/ListAddresses`, {});
    const table = el('table', {class: 'cart'}, el('tbody', {}, lines.map((l) => el('tr', {},
        el('td', {}, l.productName, ' ', el('span', {class: 'muted'}, l.sku.attributes || '')),
        el('td', {}, `× ${l.quantity}`), el('td', {}, money(l.sku.priceCents)),
        el('td', {}, l.available ? '' : 'unavailable'),
        el('td', {}, el('button', {onclick: () => attempt(async () => {
          await call(`${COMMERCE}/RemoveFromCart`, {skuId: l.sku.id});
          showCart();
        })}, 'Remove'))))));
    const select = el('select', {name: 'address'}, addresses.map((a) =>
      el('option', {value: String(a.id), selected: a.isDefault}, `${a.recipient}, ${a.line1}, ${a.city}`)));
    const checkout = el('button', {class: 'checkout primary', disabled: !addresses.length}, 'Place order');
    checkout.addEventListener('click', () => attempt(async () => {
      checkout.disabled = true;
      // One key per click: a retried request returns the same order.
      const order = await call(`${ORDER}/CheckoutCart`, {
        addressId: select.value, couponMode: 'COUPON_BEST', idempotencyKey: crypto.randomUUID(),
      });
      showOrder(order);
    }).finally(() => { checkout.disabled = false; }));
    $('#shop-body').replaceChildren(table,
        el('p', {}, `Subtotal ${money(cart.subtotalCents)}`),
        addresses.length ? el('label', {}, 'Ship to ', select) : addressForm(showCart),
        checkout);
  });
}

function addressForm(done) {
  const form = el('form', {class: 'address-form'}, el('h3', {}, 'Shipping address'),
      ...[['recipient', 'Recipient'], ['phone', 'Phone'], ['line1', 'Address'],
        ['city', 'City'], ['region', 'Region'], ['postal_code', 'Postal code'],
        ['country_code', 'Country (2 letters)']].map(([name, label]) =>
        el('label', {}, label, el('input', {name, required: name !== 'region'}))),
      el('button', {type: 'submit'}, 'Save address'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = formData(form);
    attempt(async () => {
      await call(`${ACCOUNT}/AddAddress`, {address: {
        recipient: f.recipient, phone: f.phone, line1: f.line1, city: f.city,
        region: f.region, postalCode: f.postal_code, countryCode: f.country_code, isDefault: true,
      }});
      done();
    });
  });
  return form;
}

function orderRow(o) {
  const status = el('td', {class: 'order-status'}, o.status);
  const actions = el('td', {});
  if (o.status === 'PENDING_PAYMENT') {
    actions.append(el('button', {class: 'pay primary', onclick: () => pay(o.id)}, 'Pay'),
        el('button', {onclick: () => attempt(async () => {
          await call(`${ORDER}/CancelOrder`, {orderId: o.id});
          showOrders();
        })}, 'Cancel'));
  } else if (o.status === 'SHIPPED') {
    actions.append(el('button', {onclick: () => attempt(async () => {
      await call(`${ORDER}/ConfirmReceipt`, {orderId: o.id});
      showOrders();
    })}, 'Confirm receipt'));
  }
  return el('tr', {dataset: {orderId: String(o.id)}},
      el('td', {}, `#${o.id}`), el('td', {}, (o.items || []).map((i) => `${i.name} × ${i.quantity}`).join(', ')),
      el('td', {}, money(o.totalCents)), status, actions);
}

function showOrder(order) {
  setShopTab('orders');
  $('#shop-body').replaceChildren(el('h3', {}, `Order #${order.id}`),
      el('p', {class: 'muted'}, `Items ${money(order.itemsTotalCents)} − discount ${money(order.discountCents)} + shipping ${money(order.shippingCents)}`),
      el('table', {class: 'orders'}, el('tbody', {}, orderRow(order))));
}

async function pay(orderId) {
  await attempt(async () => {
    // A single-use token per attempt: paying twice cannot charge twice.
    const token = await call(`${ORDER}/CreatePaymentToken`, {orderId});
    const payment = await call(`${ORDER}/Pay`, {token: token.token});
    toast(`Payment ${payment.status === 'PAYMENT_SUCCEEDED' ? 'succeeded' : payment.status}`);
    showOrder(await call(`${ORDER}/GetOrder`, {orderId}));
  });
}

async function showOrders() {
  setShopTab('orders');
  await attempt(async () => {
    const r = await call(`${ORDER}/ListMyOrders`, {pageSize: 20});
    const orders = r.orders || [];
    $('#shop-body').replaceChildren(orders.length
      ? el('table', {class: 'orders'}, el('tbody', {}, orders.map(orderRow)))
      : el('p', {class: 'muted'}, 'No orders yet.'));
  });
}

// ---------------------------------------------------------------- wiring
function wire() {
  for (const b of document.querySelectorAll('header nav button')) {
    b.addEventListener('click', () => show(b.dataset.view));
  }
  $('#login-form').addEventListener('submit', login);
  $('#signup-form').addEventListener('submit', signup);
  $('#logout').addEventListener('click', logout);
  $('#profile-form').addEventListener('submit', saveProfile);
  $('#totp-begin').addEventListener('click', beginTotp);
  $('#totp-confirm').addEventListener('submit', confirmTotp);
  $('#publish-form').addEventListener('submit', publish);
  $('#chat-form').addEventListener('submit', sendChat);
  $('#feed-more').addEventListener('click', () => loadFeed(true));
  for (const [id, mode] of [['feed-latest', 'latest'], ['feed-foryou', 'foryou']]) {
    $(`#${id}`).addEventListener('click', () => {
      feed.mode = mode;
      $('#feed-latest').classList.toggle('active', mode === 'latest');
      $('#feed-foryou').classList.toggle('active', mode === 'foryou');
      loadFeed();
    });
  }
  $('#shop-products').addEventListener('click', () => showProducts());
  $('#shop-cart').addEventListener('click', showCart);
  $('#shop-orders').addEventListener('click', showOrders);
  $('#product-search').addEventListener('submit', (event) => {
    event.preventDefault();
    showProducts(event.target.keyword.value);
  });
}

wire();
renderChrome();
if (signedIn()) connectChat();
show(signedIn() ? 'feed' : 'account');
document.body.dataset.ready = 'true';
