// The chat page: plain DOM code around the official SignalR client (global `signalR`).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const ui = {
    status: $('status'),
    identity: $('identity'),
    disconnect: $('disconnect'),
    join: $('join'),
    joinForm: $('join-form'),
    joinError: $('join-error'),
    connect: $('connect'),
    name: $('name'),
    token: $('token'),
    protocol: $('protocol'),
    chat: $('chat'),
    roster: $('roster'),
    onlineCount: $('online-count'),
    groupForm: $('group-form'),
    groupName: $('group-name'),
    groups: $('groups'),
    noGroups: $('no-groups'),
    messages: $('messages'),
    composer: $('composer'),
    targetKind: $('target-kind'),
    targetValue: $('target-value'),
    text: $('text'),
  };

  // Serverless SignalR has no server-side list of connections. Pages introduce themselves to each newcomer
  // with a private message (sendToConnection) whose text is this marker plus JSON; such messages are not shown.
  const PRESENCE = '\u2063presence ';

  /** @type {import('@microsoft/signalr').HubConnection | undefined} */
  let connection;
  /** @type {{ connectionId: string, userId: string | null, claims: Record<string, unknown> } | undefined} */
  let me;
  /** connection id → user id (null when anonymous or not yet known) */
  const roster = new Map();
  const groups = new Set();
  /** connection id → its "connected" line, renamed once the connection introduces itself */
  const arrivals = new Map();

  // The page is served at …/api/index, so the hub lives at …/api/chat.
  const hubUrl = new URL('chat', window.location.href).href;

  if (!(signalR.protocols && signalR.protocols.msgpack)) {
    ui.protocol.querySelector('option[value="messagepack"]').disabled = true;
  }

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void start();
  });
  ui.disconnect.addEventListener('click', () => void stop());
  ui.groupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const group = ui.groupName.value.trim();
    if (group) void joinGroup(group);
  });
  ui.targetKind.addEventListener('change', () => setTarget(ui.targetKind.value, ''));
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  async function start() {
    const name = ui.name.value.trim();
    const token = ui.token.value.trim();
    ui.joinError.hidden = true;
    ui.connect.disabled = true;
    setStatus('connecting', 'connecting…');

    const options = { headers: name ? { 'x-ms-signalr-user-id': name } : {} };
    // The token is sent to the app's negotiate function only; the service's own token replaces it after the redirect.
    if (token) options.accessTokenFactory = () => token;

    let builder = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl, options)
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning);
    if (ui.protocol.value === 'messagepack') {
      builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    }
    connection = builder.build();

    connection.on('newMessage', onNewMessage);
    connection.on('newConnection', ({ connectionId }) => onNewConnection(connectionId));
    connection.on('connectionClosed', ({ connectionId }) => onConnectionClosed(connectionId));
    // A client result: another client's askTime awaits what this returns.
    connection.on('localTime', () => new Date().toString());
    connection.onreconnecting(() => setStatus('connecting', 'reconnecting…'));
    connection.onreconnected(() => void onReconnected());
    connection.onclose((error) => onClosed(error));

    try {
      await connection.start();
      me = await connection.invoke('whoami');
    } catch (error) {
      connection = undefined;
      setStatus('offline', 'offline');
      ui.connect.disabled = false;
      ui.joinError.textContent = `Could not connect: ${describe(error)}`;
      ui.joinError.hidden = false;
      return;
    }

    roster.clear();
    roster.set(me.connectionId, me.userId);
    ui.join.hidden = true;
    ui.chat.hidden = false;
    ui.disconnect.hidden = false;
    ui.connect.disabled = false;
    setStatus('online', ui.protocol.value === 'messagepack' ? 'online · MessagePack' : 'online · JSON');
    showIdentity();
    renderRoster();
    renderGroups();
    system(`You joined as ${me.userId ?? 'an anonymous user'}.`);
    ui.text.focus();
  }

  async function stop() {
    const closing = connection;
    connection = undefined;
    if (closing) await closing.stop();
  }

  function onClosed(error) {
    connection = undefined;
    me = undefined;
    groups.clear();
    roster.clear();
    arrivals.clear();
    ui.chat.hidden = true;
    ui.join.hidden = false;
    ui.disconnect.hidden = true;
    ui.identity.hidden = true;
    ui.messages.replaceChildren();
    setStatus('offline', 'offline');
    if (error) {
      ui.joinError.textContent = `Disconnected: ${describe(error)}`;
      ui.joinError.hidden = false;
    }
  }

  async function onReconnected() {
    // A reconnect is a new connection for the service: a new id, and no groups.
    me = await connection.invoke('whoami');
    roster.clear();
    roster.set(me.connectionId, me.userId);
    const rejoin = [...groups];
    groups.clear();
    for (const group of rejoin) await joinGroup(group, { quiet: true });
    setStatus('online', 'online');
    showIdentity();
    renderRoster();
    system('Reconnected.');
  }

  function onNewConnection(connectionId) {
    if (!me || connectionId === me.connectionId) return;
    if (!roster.has(connectionId)) {
      roster.set(connectionId, null);
      renderRoster();
      arrivals.set(connectionId, system(`${short(connectionId)} joined.`));
    }
    void introduce(connectionId, 'hello');
  }

  function onConnectionClosed(connectionId) {
    if (!roster.has(connectionId)) return;
    const userId = roster.get(connectionId);
    roster.delete(connectionId);
    arrivals.delete(connectionId);
    renderRoster();
    system(`${userId ?? short(connectionId)} left.`);
  }

  async function introduce(connectionId, kind) {
    const note = PRESENCE + JSON.stringify({ kind, connectionId: me.connectionId, userId: me.userId });
    try {
      await connection.invoke('sendToConnection', connectionId, note);
    } catch {
      // The newcomer may already be gone; its roster entry goes with its connectionClosed event.
    }
  }

  function onPresence(text) {
    let note;
    try {
      note = JSON.parse(text.slice(PRESENCE.length));
    } catch {
      return;
    }
    if (typeof note.connectionId !== 'string' || note.connectionId === me.connectionId) return;
    const known = roster.has(note.connectionId);
    const userId = typeof note.userId === 'string' ? note.userId : null;
    roster.set(note.connectionId, userId);
    renderRoster();
    const arrival = arrivals.get(note.connectionId);
    if (arrival) {
      arrival.textContent = `${userId ?? 'An anonymous user'} joined.`;
      arrivals.delete(note.connectionId);
    }
    if (note.kind === 'hello' && !known) void introduce(note.connectionId, 'here');
  }

  function onNewMessage(message) {
    if (!me || !message || typeof message.text !== 'string') return;
    if (message.text.startsWith(PRESENCE)) {
      onPresence(message.text);
      return;
    }
    const mine = message.from === (me.userId ?? me.connectionId);
    let tag;
    if (message.admin) tag = { kind: 'admin', label: 'admin' };
    else if (message.group !== undefined) tag = { kind: 'group', label: `#${message.group}` };
    else if (message.to !== undefined) tag = { kind: 'direct', label: mine ? `to ${message.to}` : 'private' };
    addMessage({ from: message.from, text: message.text, mine, tag, admin: Boolean(message.admin) });
  }

  async function send() {
    const text = ui.text.value.trim();
    const kind = ui.targetKind.value;
    const target = ui.targetValue.value.trim();
    if (!text || !connection) return;
    if (kind !== 'all' && kind !== 'admin' && !target) {
      ui.targetValue.focus();
      return;
    }
    try {
      switch (kind) {
        case 'all':
          await connection.invoke('broadcast', text);
          break;
        case 'admin':
          await connection.invoke('adminBroadcast', text);
          break;
        case 'user':
          await connection.invoke('sendToUser', target, text);
          if (target !== me.userId) echoSent(text, { kind: 'direct', label: `to ${target}` });
          break;
        case 'connection':
          await connection.invoke('sendToConnection', target, text);
          if (target !== me.connectionId) echoSent(text, { kind: 'direct', label: `to ${roster.get(target) ?? short(target)}` });
          break;
        case 'group':
          await connection.invoke('sendToGroup', target, text);
          if (!groups.has(target)) echoSent(text, { kind: 'group', label: `#${target}` });
          break;
      }
      ui.text.value = '';
    } catch (error) {
      const denied = kind === 'admin' && /status code 403/u.test(describe(error));
      system(denied ? 'Not sent: only admins can send admin messages (a token with admin = true).' : `Not sent: ${describe(error)}`, true);
    }
    ui.text.focus();
  }

  // Messages to others are not delivered back to the sender, so the page shows what it sent.
  function echoSent(text, tag) {
    addMessage({ from: me.userId ?? me.connectionId, text, mine: true, tag, admin: false });
  }

  async function joinGroup(group, { quiet = false } = {}) {
    try {
      await connection.invoke('joinGroup', group);
    } catch (error) {
      system(`Could not join #${group}: ${describe(error)}`, true);
      return;
    }
    groups.add(group);
    ui.groupName.value = '';
    renderGroups();
    if (!quiet) system(`You joined #${group}.`);
  }

  async function leaveGroup(group) {
    try {
      await connection.invoke('leaveGroup', group);
    } catch (error) {
      system(`Could not leave #${group}: ${describe(error)}`, true);
      return;
    }
    groups.delete(group);
    renderGroups();
    if (ui.targetKind.value === 'group' && ui.targetValue.value === group) setTarget('all', '');
    system(`You left #${group}.`);
  }

  function setTarget(kind, value) {
    ui.targetKind.value = kind;
    const needsValue = kind === 'user' || kind === 'connection' || kind === 'group';
    ui.targetValue.hidden = !needsValue;
    ui.targetValue.placeholder = kind === 'group' ? 'group' : kind === 'connection' ? 'connection id' : 'user id';
    ui.targetValue.value = value;
    (needsValue && !value ? ui.targetValue : ui.text).focus();
  }

  async function askTime(connectionId, userId) {
    try {
      const time = await connection.invoke('askTime', connectionId);
      system(`${userId ?? short(connectionId)}'s local time: ${time}`);
    } catch (error) {
      system(`No time from ${userId ?? short(connectionId)}: ${describe(error)}`, true);
    }
  }

  function renderRoster() {
    const items = [...roster].map(([connectionId, userId]) => {
      const self = me && connectionId === me.connectionId;
      const item = element('li', { 'data-connection-id': connectionId });
      item.append(avatar(userId ?? connectionId, !userId));
      const who = element('div', { class: 'who' });
      const name = element('span', { class: 'name' }, userId ?? 'anonymous');
      if (self) name.append(element('span', { class: 'you' }, 'you'));
      who.append(name, element('span', { class: 'id', title: connectionId }, connectionId));
      item.append(who);
      if (!self) {
        const message = element('button', { class: 'button-small', type: 'button', title: 'Send a private message' }, 'Message');
        message.addEventListener('click', () => (userId ? setTarget('user', userId) : setTarget('connection', connectionId)));
        const time = element('button', { class: 'button-small', type: 'button', title: 'Ask for its local time' }, 'Time');
        time.addEventListener('click', () => void askTime(connectionId, userId));
        item.append(message, time);
      }
      return item;
    });
    items.sort((a, b) => (a.dataset.connectionId === me?.connectionId ? -1 : b.dataset.connectionId === me?.connectionId ? 1 : 0));
    ui.roster.replaceChildren(...items);
    ui.onlineCount.textContent = String(roster.size);
  }

  function renderGroups() {
    const items = [...groups].sort().map((group) => {
      const item = element('li', { 'data-group': group });
      item.append(element('span', { class: 'group-name' }, group));
      const sendTo = element('button', { class: 'button-small', type: 'button' }, 'Send');
      sendTo.addEventListener('click', () => setTarget('group', group));
      const leave = element('button', { class: 'button-small', type: 'button' }, 'Leave');
      leave.addEventListener('click', () => void leaveGroup(group));
      item.append(sendTo, leave);
      return item;
    });
    ui.groups.replaceChildren(...items);
    ui.noGroups.hidden = groups.size > 0;
  }

  function showIdentity() {
    const name = element('strong', {}, me.userId ?? 'anonymous');
    const admin = isAdmin(me.claims) ? ' · admin' : '';
    ui.identity.replaceChildren('Signed in as ', name, ` · ${short(me.connectionId)}${admin}`);
    ui.identity.hidden = false;
  }

  function addMessage({ from, text, mine, tag, admin }) {
    const item = element('li', { class: `message${mine ? ' mine' : ''}${admin ? ' admin' : ''}` });
    if (!mine) item.append(avatar(from, false));
    const bubble = element('div', { class: 'bubble' });
    const meta = element('div', { class: 'meta' });
    meta.append(element('span', { class: 'from' }, mine ? 'you' : from));
    if (tag) meta.append(element('span', { class: `tag tag-${tag.kind}` }, tag.label));
    meta.append(element('time', {}, new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
    bubble.append(meta, element('div', { class: 'text' }, text));
    item.append(bubble);
    append(item);
  }

  function system(text, failure = false) {
    const line = element('li', { class: `system${failure ? ' failure' : ''}` }, text);
    append(line);
    return line;
  }

  function append(item) {
    const atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
    ui.messages.append(item);
    if (atBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function setStatus(kind, text) {
    ui.status.className = `status status-${kind}`;
    ui.status.textContent = text;
  }

  function avatar(seed, anonymous) {
    const node = element('span', { class: 'avatar', 'aria-hidden': 'true' }, anonymous ? '?' : seed.slice(0, 1));
    node.style.background = `hsl(${hue(seed)} 55% 52%)`;
    return node;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hue(text) {
    let hash = 0;
    for (const char of text) hash = (hash * 31 + char.codePointAt(0)) % 360;
    return hash;
  }

  function short(connectionId) {
    return connectionId.length > 10 ? `${connectionId.slice(0, 8)}…` : connectionId;
  }

  function isAdmin(claims) {
    const value = claims && claims.admin;
    return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
  }

  function describe(error) {
    const text = error instanceof Error ? error.message : String(error);
    // The client prefixes server errors with a long explanation; the server's own words are what matter.
    return text
      .replace(/^An unexpected error occurred invoking '[^']*' on the server\.\s*/u, '')
      .replace(/^HubException:\s*/u, '')
      .replace(/^Failed to complete negotiation with the server: (?:Error: )?/u, '')
      .replace(/\.?: Status code '(\d+)'$/u, ' (status $1).');
  }
})();
