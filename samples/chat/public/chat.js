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
    countdownForm: $('countdown-form'),
    countdownFrom: $('countdown-from'),
    messages: $('messages'),
    composer: $('composer'),
    targetKind: $('target-kind'),
    targetValue: $('target-value'),
    text: $('text'),
    send: $('send'),
    composerHint: $('composer-hint'),
    lost: $('lost'),
    lostReason: $('lost-reason'),
    reconnect: $('reconnect'),
  };

  // After a lost connection the client retries at once, then after 2, 5, 10 and 20 s (about 40 s in all)
  // before giving up; the page then keeps the conversation and offers to reconnect.
  const RETRY_DELAYS_MS = [0, 2000, 5000, 10000, 20000];

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
  /** What the user joined with, to join again the same way after the connection is lost for good. */
  let joined;
  /** Set while the user leaves on purpose: that close is not a loss. */
  let leaving = false;
  /**
   * What the server sent between the connection's start and this page learning who it is (whoami): another
   * page greets a new connection as soon as it hears of it, and that greeting must not be lost.
   */
  const early = [];
  /** Who this page was while it reconnects (`me` is unset until the new connection is known). */
  let away;
  const MAX_EARLY_EVENTS = 1000;

  /** A handler that waits, while the page is joining, until it knows who it is. */
  function whenJoined(handle) {
    return (...args) => {
      if (me !== undefined) handle(...args);
      else if (early.length < MAX_EARLY_EVENTS) early.push(() => handle(...args));
    };
  }

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
  ui.reconnect.addEventListener('click', () => void start(joined));
  ui.text.addEventListener('input', () => hint(''));
  ui.targetValue.addEventListener('input', () => hint(''));
  ui.groupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const group = ui.groupName.value.trim();
    if (group) void joinGroup(group);
  });
  ui.targetKind.addEventListener('change', () => setTarget(ui.targetKind.value, ''));
  ui.countdownForm.addEventListener('submit', (event) => {
    event.preventDefault();
    countdown(Number(ui.countdownFrom.value));
  });
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  /**
   * Joins with the join form's settings, or, after the connection was lost for good, again with the
   * settings of last time (`again`), keeping the conversation on the page.
   */
  async function start(again) {
    const resuming = again !== undefined;
    const settings = again ?? { name: ui.name.value.trim(), token: ui.token.value.trim(), protocol: ui.protocol.value };
    const { name, token } = settings;
    ui.joinError.hidden = true;
    ui.connect.disabled = true;
    ui.reconnect.disabled = true;
    setStatus('connecting', 'connecting…');

    const options = { headers: name ? { 'x-ms-signalr-user-id': name } : {} };
    // The token is sent to the app's negotiate function only; the service's own token replaces it after the redirect.
    if (token) options.accessTokenFactory = () => token;

    let builder = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl, options)
      .withAutomaticReconnect(RETRY_DELAYS_MS)
      // The page explains failures in its own words; the client's own console lines would only repeat them.
      .configureLogging(signalR.LogLevel.None);
    if (settings.protocol === 'messagepack') {
      builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    }
    connection = builder.build();

    early.length = 0;
    connection.on('newMessage', whenJoined(onNewMessage));
    connection.on(
      'newConnection',
      whenJoined(({ connectionId }) => onNewConnection(connectionId)),
    );
    connection.on(
      'connectionClosed',
      whenJoined(({ connectionId }) => onConnectionClosed(connectionId)),
    );
    // A client result: another client's askTime awaits what this returns.
    connection.on('localTime', () => new Date().toString());
    connection.onreconnecting(() => {
      // Until the new connection is known (onreconnected), what the server sends on it waits: this page's id
      // is about to change, and the roster is rebuilt for the new connection.
      away = me ?? away;
      me = undefined;
      setStatus('connecting', 'reconnecting…');
      system('The connection to the chat server was interrupted. Reconnecting…');
    });
    connection.onreconnected((connectionId) => void onReconnected(connectionId));
    connection.onclose((error) => onClosed(error));

    const starting = connection;
    try {
      await starting.start();
      me = await starting.invoke('whoami');
    } catch (error) {
      if (connection === starting) connection = undefined;
      setStatus('offline', 'offline');
      ui.connect.disabled = false;
      ui.reconnect.disabled = false;
      if (resuming) {
        ui.lostReason.textContent = `Still could not reconnect: ${explain(error)}`;
      } else {
        ui.joinError.textContent = `Could not connect: ${explain(error)}`;
        ui.joinError.hidden = false;
      }
      return;
    }

    joined = settings;
    roster.clear();
    arrivals.clear();
    roster.set(me.connectionId, me.userId);
    ui.join.hidden = true;
    ui.chat.hidden = false;
    ui.lost.hidden = true;
    ui.disconnect.hidden = false;
    ui.connect.disabled = false;
    setComposerEnabled(true);
    setStatus('online', protocolLabel());
    showIdentity();
    renderRoster();
    for (const handle of early.splice(0)) handle();
    if (resuming) {
      const rejoin = [...groups];
      groups.clear();
      for (const group of rejoin) await joinGroup(group, { quiet: true });
      renderGroups();
      system('Reconnected.');
    } else {
      renderGroups();
      system(`You joined as ${me.userId ?? 'an anonymous user'}.`);
    }
    ui.text.focus();
  }

  function protocolLabel() {
    return joined && joined.protocol === 'messagepack' ? 'online · MessagePack' : 'online · JSON';
  }

  async function stop() {
    const closing = connection;
    if (!closing) {
      leave();
      return;
    }
    leaving = true;
    await closing.stop();
  }

  /** Back to the join form, the conversation cleared: the user left. */
  function leave() {
    connection = undefined;
    joined = undefined;
    me = undefined;
    away = undefined;
    groups.clear();
    roster.clear();
    arrivals.clear();
    ui.chat.hidden = true;
    ui.lost.hidden = true;
    ui.join.hidden = false;
    ui.disconnect.hidden = true;
    ui.identity.hidden = true;
    ui.messages.replaceChildren();
    hint('');
    setStatus('offline', 'offline');
  }

  function onClosed(error) {
    if (leaving || !joined) {
      leaving = false;
      leave();
      return;
    }
    // Reconnecting gave up: keep the conversation, say what happened, and offer to try again.
    connection = undefined;
    me = undefined;
    away = undefined;
    early.length = 0;
    roster.clear();
    arrivals.clear();
    renderRoster();
    setComposerEnabled(false);
    setStatus('offline', 'offline');
    // The client reports the last failure, if any; after its last retry it often has none to give.
    const reason = error ? ` ${explain(error)}` : ' The chat server may be down or restarting.';
    ui.lostReason.textContent =
      `The connection to the chat server was lost and could not be restored after several tries (about 40 seconds).${reason} ` +
      'Your conversation is kept here; press Reconnect to join again.';
    ui.lost.hidden = false;
    ui.reconnect.disabled = false;
    system('Disconnected: could not reconnect to the chat server.', true);
  }

  async function onReconnected(connectionId) {
    // A reconnect is a new connection for the service: a new id, and no groups. The roster is rebuilt
    // from the server: the others introduce themselves when they hear of the new connection.
    me = { ...away, connectionId };
    away = undefined;
    roster.clear();
    arrivals.clear();
    roster.set(connectionId, me.userId);
    renderRoster();
    setStatus('online', protocolLabel());
    showIdentity();
    for (const handle of early.splice(0)) handle();
    try {
      me = await connection.invoke('whoami');
    } catch (error) {
      system(`Could not refresh who you are: ${explain(error)}`, true);
    }
    showIdentity();
    const rejoin = [...groups];
    groups.clear();
    for (const group of rejoin) await joinGroup(group, { quiet: true });
    renderGroups();
    system('Reconnected.');
  }

  /** Whether a connection id is this page's own current one (known to the client before `whoami` answers). */
  function isSelf(connectionId) {
    return (
      connectionId === (connection && connection.connectionId) || (me !== undefined && connectionId === me.connectionId)
    );
  }

  function onNewConnection(connectionId) {
    if (!me || isSelf(connectionId)) return;
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
    if (typeof note.connectionId !== 'string' || isSelf(note.connectionId)) return;
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
    if (!connection || connection.state !== signalR.HubConnectionState.Connected) {
      hint('Not connected right now, so nothing can be sent. Wait until the status says online.');
      return;
    }
    if (!text) {
      hint('Write a message first: an empty message is not sent.');
      ui.text.focus();
      return;
    }
    const needsTarget = kind === 'user' || kind === 'connection' || kind === 'group';
    if (needsTarget && !target) {
      hint(
        `Enter the ${kind === 'group' ? 'group name' : kind === 'connection' ? 'connection id' : 'user id'} to send to.`,
      );
      ui.targetValue.focus();
      return;
    }
    hint('');
    // Cleared now, not when the server answers: the user may already be typing the next message.
    ui.text.value = '';
    try {
      let delivery;
      switch (kind) {
        case 'all':
          await connection.invoke('broadcast', text);
          break;
        case 'admin':
          await connection.invoke('adminBroadcast', text);
          break;
        case 'user':
          delivery = await connection.invoke('sendToUser', target, text);
          if (reached(delivery, text, `${target} is not online`) && target !== me.userId)
            echoSent(text, { kind: 'direct', label: `to ${target}` });
          break;
        case 'connection':
          delivery = await connection.invoke('sendToConnection', target, text);
          if (reached(delivery, text, `no connection ${short(target)} is open`) && !isSelf(target)) {
            echoSent(text, { kind: 'direct', label: `to ${roster.get(target) ?? short(target)}` });
          }
          break;
        case 'group':
          delivery = await connection.invoke('sendToGroup', target, text);
          if (reached(delivery, text, `#${target} has no members`) && !groups.has(target))
            echoSent(text, { kind: 'group', label: `#${target}` });
          break;
      }
    } catch (error) {
      // Not sent: give the text back, unless something new was typed meanwhile.
      if (ui.text.value === '') ui.text.value = text;
      const denied = kind === 'admin' && /status code 403/u.test(describe(error));
      system(
        denied
          ? 'Not sent: only admins can send admin messages (a token with admin = true).'
          : `Not sent: ${explain(error)}`,
        true,
      );
    }
    ui.text.focus();
  }

  /** Whether a send reached anyone; says so on the page when it reached nobody. */
  function reached(delivery, text, why) {
    if (!delivery || delivery.delivered !== false) return true;
    system(`Nobody received “${text.length > 60 ? `${text.slice(0, 60)}…` : text}”: ${why}.`, true);
    return false;
  }

  function hint(text) {
    ui.composerHint.textContent = text;
    ui.composerHint.hidden = text === '';
  }

  function setComposerEnabled(enabled) {
    for (const control of [ui.text, ui.send, ui.targetKind, ui.targetValue]) control.disabled = !enabled;
  }

  // Messages to others are not delivered back to the sender, so the page shows what it sent.
  function echoSent(text, tag) {
    addMessage({ from: me.userId ?? me.connectionId, text, mine: true, tag, admin: false });
  }

  async function joinGroup(group, { quiet = false } = {}) {
    try {
      await connection.invoke('joinGroup', group);
    } catch (error) {
      system(`Could not join #${group}: ${explain(error)}`, true);
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
      system(`Could not leave #${group}: ${explain(error)}`, true);
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

  // A stream: the hub's countdown generator sends each number as it yields it; one line shows them all.
  function countdown(from) {
    const line = system(`Countdown from ${from}:`);
    const numbers = [];
    connection.stream('countdown', from).subscribe({
      next: (value) => {
        numbers.push(value);
        line.textContent = `Countdown from ${from}: ${numbers.join(' ')}`;
      },
      complete: () => {
        line.textContent = `Countdown from ${from}: ${numbers.join(' ')} (done)`;
      },
      error: (error) => {
        line.textContent = `Countdown from ${from} failed: ${describe(error)}`;
        line.classList.add('failure');
      },
    });
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
        const message = element(
          'button',
          { class: 'button-small', type: 'button', title: 'Send a private message' },
          'Message',
        );
        message.addEventListener('click', () =>
          userId ? setTarget('user', userId) : setTarget('connection', connectionId),
        );
        const time = element(
          'button',
          { class: 'button-small', type: 'button', title: 'Ask for its local time' },
          'Time',
        );
        time.addEventListener('click', () => void askTime(connectionId, userId));
        item.append(message, time);
      }
      return item;
    });
    items.sort((a, b) =>
      a.dataset.connectionId === me?.connectionId ? -1 : b.dataset.connectionId === me?.connectionId ? 1 : 0,
    );
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

  /** A library error as a sentence a user understands. */
  function explain(error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/not in the 'Connected' State|connection being closed|connection was stopped/iu.test(text)) {
      return 'The connection to the chat server was interrupted, so it was not sent. Wait until the status says online, then try again.';
    }
    if (/Failed to fetch|NetworkError|Load failed|ECONNREFUSED|fetch failed/iu.test(text)) {
      return 'The chat server could not be reached. Check that it is running and that you are online, then try again.';
    }
    if (/Status code '401'/u.test(text))
      return 'The server refused the token (status 401): it is not valid, or it has expired.';
    if (/Status code '403'/u.test(text)) return 'The server refused to let you in (status 403).';
    if (/Status code '5\d\d'/u.test(text)) return 'The chat server had a problem (status 5xx). Try again in a moment.';
    if (/Server timeout elapsed/u.test(text)) return 'The chat server stopped answering.';
    if (/WebSocket closed|closed with status code|Error: WebSocket failed|transports/iu.test(text))
      return 'The connection to the chat server broke off.';
    return describe(error);
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
