// The chat page in a real browser: headless Chromium (Debian's package) opens the sample's page twice, as
// two users, and they talk to each other through the app and the service emulator; the service and the app
// restart under them, or go away for good. Screenshots of the pages are saved under test-results/ as artifacts.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, startRestartableChatApp } from './sample-chat-app.js';
import type { RestartableChatApp } from './sample-chat-app.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-results/', import.meta.url));

interface ChatPage {
  readonly page: Page;
  /** Uncaught errors and console errors of the page: a working page has none. */
  readonly errors: string[];
}

/**
 * Runs in the page before its scripts: when the official client's global appears, its `invoke('whoami')`
 * resolves `delayMs` later than the server's answer.
 */
function delayWhoami(delayMs: number): void {
  type Invoke = (this: unknown, method: string, ...args: unknown[]) => Promise<unknown>;
  let client: { HubConnection?: { prototype: { invoke: Invoke } } } | undefined;
  Object.defineProperty(globalThis, 'signalR', {
    configurable: true,
    get: () => client,
    set: (value: typeof client) => {
      client = value;
      const prototype = value?.HubConnection?.prototype;
      if (prototype === undefined) return;
      const invoke = prototype.invoke;
      prototype.invoke = function (this: unknown, method: string, ...args: unknown[]): Promise<unknown> {
        const answer = invoke.call(this, method, ...args);
        if (method !== 'whoami') return answer;
        return answer.then(
          (value) =>
            new Promise((resolve) => {
              setTimeout(() => {
                resolve(value);
              }, delayMs);
            }),
        );
      };
    },
  });
}

describe('chat page in Chromium', () => {
  let app: RestartableChatApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The browser tests need Debian's chromium at ${CHROMIUM}: run \`bash scripts/setup.sh --browser\` (CI does).`,
      );
    }
    app = await startRestartableChatApp();
    // launch() starts from a fresh, temporary user-data-dir every time.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openChat(
    name: string,
    options: { token?: string; protocol?: 'json' | 'messagepack'; fakeClock?: boolean; whoamiDelayMs?: number } = {},
  ): Promise<ChatPage> {
    if (app === undefined || browser === undefined) throw new Error('set-up failed');
    // One context per user: separate storage, as two people on two machines.
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    // The page's timers run on a clock the test can move forward (time still flows on its own).
    if (options.fakeClock === true) await page.clock.install();
    // The page learns who it is (whoami) this much later than the server answers: events that arrive in
    // between must not be lost.
    if (options.whoamiDelayMs !== undefined) await page.addInitScript(delayWhoami, options.whoamiDelayMs);
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    const response = await page.goto(app.pageUrl);
    expect(response?.status()).toBe(200);
    await page.fill('#name', name);
    if (options.token !== undefined || options.protocol !== undefined) {
      await page.click('#join summary');
      if (options.token !== undefined) await page.fill('#token', options.token);
      if (options.protocol !== undefined) await page.selectOption('#protocol', options.protocol);
    }
    await page.click('#connect');
    await page.locator('#chat').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^online/);
    return { page, errors };
  }

  async function send(
    page: Page,
    text: string,
    target: { kind: 'all' | 'user' | 'connection' | 'group' | 'admin'; value?: string } = { kind: 'all' },
  ): Promise<void> {
    await page.selectOption('#target-kind', target.kind);
    if (target.value !== undefined) await page.fill('#target-value', target.value);
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }

  async function waitForMessage(
    page: Page,
    text: string,
  ): Promise<{ from: string; tag: string | null; mine: boolean }> {
    const item = page.locator('#messages li.message', { has: page.locator('.text', { hasText: text }) }).last();
    await item.waitFor({ state: 'visible' });
    return {
      from: (await item.locator('.from').textContent()) ?? '',
      tag: await item
        .locator('.tag')
        .first()
        .textContent({ timeout: 1_000 })
        .catch(() => null),
      mine: ((await item.getAttribute('class')) ?? '').split(' ').includes('mine'),
    };
  }

  it('lets two users chat: everyone, a user, a group and an admin message, with who is online', async () => {
    const adminToken = await bearerToken({ sub: 'alice', admin: true });
    const alice = await openChat('alice', { token: adminToken });
    const bob = await openChat('bob', { protocol: 'messagepack' });

    // Each page lists the other: alice sees bob connect, and bob learns about alice from her introduction.
    await alice.page.locator('#roster li', { hasText: 'bob' }).waitFor();
    await bob.page.locator('#roster li', { hasText: 'alice' }).waitFor();
    expect(await alice.page.locator('#online-count').textContent()).toBe('2');
    expect(await bob.page.locator('#online-count').textContent()).toBe('2');
    expect(await alice.page.locator('#identity').textContent()).toContain('admin');
    await alice.page.locator('#messages li.system', { hasText: 'bob joined.' }).waitFor();

    // To everyone.
    await send(alice.page, 'Hello everyone!');
    expect(await waitForMessage(bob.page, 'Hello everyone!')).toEqual({ from: 'alice', tag: null, mine: false });
    expect(await waitForMessage(alice.page, 'Hello everyone!')).toMatchObject({ mine: true });

    // To a user, picked from the roster.
    await bob.page.locator('#roster li', { hasText: 'alice' }).getByRole('button', { name: 'Message' }).click();
    expect(await bob.page.inputValue('#target-value')).toBe('alice');
    await bob.page.fill('#text', 'Hi Alice, just you');
    await bob.page.press('#text', 'Enter');
    expect(await waitForMessage(alice.page, 'Hi Alice, just you')).toEqual({
      from: 'bob',
      tag: 'private',
      mine: false,
    });
    expect(await waitForMessage(bob.page, 'Hi Alice, just you')).toEqual({ from: 'you', tag: 'to alice', mine: true });

    // To a group: both join, alice writes to it.
    for (const { page } of [alice, bob]) {
      await page.fill('#group-name', 'team');
      await page.press('#group-name', 'Enter');
      await page.locator('#groups li', { hasText: 'team' }).waitFor();
    }
    await send(alice.page, 'Stand-up in 5 minutes', { kind: 'group', value: 'team' });
    expect(await waitForMessage(bob.page, 'Stand-up in 5 minutes')).toEqual({
      from: 'alice',
      tag: '#team',
      mine: false,
    });

    // Admin messages: alice's token says admin = true, bob has none.
    await send(alice.page, 'Deploying v2 now', { kind: 'admin' });
    expect(await waitForMessage(bob.page, 'Deploying v2 now')).toEqual({ from: 'alice', tag: 'admin', mine: false });
    await send(bob.page, 'I am admin too', { kind: 'admin' });
    await bob.page.locator('#messages li.system.failure', { hasText: 'only admins' }).waitFor();

    await send(bob.page, 'See you all tomorrow');
    await waitForMessage(alice.page, 'See you all tomorrow');
    await waitForMessage(bob.page, 'See you all tomorrow');

    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.page.screenshot({ path: `${ARTIFACTS}browser-chat-alice.png` });
    await bob.page.screenshot({ path: `${ARTIFACTS}browser-chat-bob.png` });

    // Leaving updates the other page's roster.
    await bob.page.click('#disconnect');
    await bob.page.locator('#join').waitFor({ state: 'visible' });
    await alice.page.locator('#messages li.system', { hasText: 'bob left' }).waitFor();
    expect(await alice.page.locator('#online-count').textContent()).toBe('1');

    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  }, 90_000);

  it('asks another page for its time (a client result) and streams a countdown from the hub', async () => {
    const carol = await openChat('carol');
    const dave = await openChat('dave', { protocol: 'messagepack' });
    await carol.page.locator('#roster li', { hasText: 'dave' }).waitFor();

    // Time: carol's hub method invokes localTime on dave's page, which answers with its clock.
    await carol.page.locator('#roster li', { hasText: 'dave' }).getByRole('button', { name: 'Time' }).click();
    const time = await carol.page.locator('#messages li.system', { hasText: "dave's local time:" }).textContent();
    expect(Number.isNaN(Date.parse((time ?? '').replace(/^dave's local time: /, '').replace(/ \(.*\)$/, '')))).toBe(
      false,
    );

    // Countdown: the hub's async generator streams 7, 6, …, 1 to the page that asked.
    await dave.page.fill('#countdown-from', '7');
    await dave.page.getByRole('button', { name: 'Countdown' }).click();
    await dave.page.locator('#messages li.system', { hasText: 'Countdown from 7: 7 6 5 4 3 2 1 (done)' }).waitFor();

    // A start the hub's validation refuses ends the stream with its message.
    // (The input's max would stop the browser's own submit: the form's submit event is sent directly.)
    await dave.page.fill('#countdown-from', '101');
    await dave.page.locator('#countdown-form').dispatchEvent('submit', { cancelable: true });
    await dave.page.locator('#messages li.system.failure', { hasText: 'Countdown from 101 failed' }).waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await dave.page.screenshot({ path: `${ARTIFACTS}browser-chat-countdown.png` });
    expect(carol.errors).toEqual([]);
    expect(dave.errors).toEqual([]);
    await carol.page.context().close();
    await dave.page.context().close();
  }, 60_000);

  it('learns the name of a page that is greeted before it knows who it is', async () => {
    // grace greets heidi's connection as soon as she hears of it; heidi hears the greeting before her own
    // whoami answer has reached her page, and must still answer it.
    const grace = await openChat('grace');
    const heidi = await openChat('heidi', { whoamiDelayMs: 1500 });
    await grace.page.locator('#roster li', { hasText: 'heidi' }).waitFor();
    await heidi.page.locator('#roster li', { hasText: 'grace' }).waitFor();
    expect(grace.errors).toEqual([]);
    expect(heidi.errors).toEqual([]);
    await grace.page.context().close();
    await heidi.page.context().close();
  });

  it('shows why it cannot connect when the bearer token does not verify', async () => {
    const forged = await bearerToken(
      { sub: 'mallory', admin: true },
      { secret: 'not-the-app-secret-not-the-app-secret' },
    );
    if (app === undefined || browser === undefined) throw new Error('set-up failed');
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(app.pageUrl);
    await page.fill('#name', 'mallory');
    await page.click('#join summary');
    await page.fill('#token', forged);
    await page.click('#connect');
    const error = page.locator('#join-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/Could not connect: .*401/);
    expect(await page.locator('#chat').isHidden()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}browser-chat-refused.png` });
    await context.close();
  }, 60_000);

  /** Errors of the page besides the browser's own notes of requests refused or cut while the server was down. */
  function pageErrors(chat: ChatPage): string[] {
    return chat.errors.filter(
      (error) => !/^Failed to load resource: net::ERR_CONNECTION_(?:REFUSED|RESET|CLOSED)$/.test(error),
    );
  }

  async function rosterOf(page: Page): Promise<string[]> {
    return (await page.locator('#roster li .name').allTextContents()).map((text) => text.trim()).sort();
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
  }

  it('comes back after the service and the app restart: both pages online, correct rosters, working sends', async () => {
    if (app === undefined) throw new Error('set-up failed');
    const carol = await openChat('carol', { fakeClock: true });
    const dave = await openChat('dave', { protocol: 'messagepack', fakeClock: true });
    await carol.page.locator('#roster li', { hasText: 'dave' }).waitFor();
    await dave.page.locator('#roster li', { hasText: 'carol' }).waitFor();
    const before = await carol.page.locator('#identity').textContent();

    await app.restart();
    // Both are back: the next reconnect attempt need not wait out its delay (2 s, then 10 s, ...). How many
    // attempts failed while they were down depends on timing (one that reaches the new app between its
    // listening and its functions being loaded gets 404), so the pages' clocks skip each delay until the
    // client is back, instead of skipping one.
    for (const { page } of [carol, dave]) {
      const reconnected = page.locator('#messages li.system', { hasText: 'Reconnected.' });
      await expect
        .poll(
          async () => {
            if ((await reconnected.count()) > 0) return true;
            await page.clock.fastForward(10_000);
            return false;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
    }
    // The protocol label is kept.
    await expect.poll(() => carol.page.locator('#status').textContent()).toBe('online · JSON');
    await expect.poll(() => dave.page.locator('#status').textContent()).toBe('online · MessagePack');
    // Rebuilt from the server: each page lists itself (with its new connection id) and the other, no ghosts
    // (pages that other tests left open may be listed too, but never anyone twice).
    for (const [{ page }, self, other] of [
      [carol, 'carolyou', 'dave'],
      [dave, 'daveyou', 'carol'],
    ] as const) {
      await expect
        .poll(async () => (await rosterOf(page)).filter((name) => name === self || name === other))
        .toEqual([self, other].sort());
      const names = await rosterOf(page);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(await carol.page.locator('#identity').textContent()).not.toBe(before);
    // Its own new connection is not announced as a stranger joining.
    expect(await carol.page.locator('#messages li.system', { hasText: /^[\w-]{8}… joined\.$/ }).count()).toBe(0);

    await send(carol.page, 'Still here after the restart');
    expect(await waitForMessage(dave.page, 'Still here after the restart')).toEqual({
      from: 'carol',
      tag: null,
      mine: false,
    });
    await dave.page.locator('#roster li', { hasText: 'carol' }).getByRole('button', { name: 'Message' }).click();
    await dave.page.fill('#text', 'Welcome back, Carol');
    await dave.page.press('#text', 'Enter');
    expect(await waitForMessage(carol.page, 'Welcome back, Carol')).toEqual({
      from: 'dave',
      tag: 'private',
      mine: false,
    });

    await screenshot(carol.page, 'browser-chat-after-restart-carol');
    await screenshot(dave.page, 'browser-chat-after-restart-dave');
    expect(pageErrors(carol)).toEqual([]);
    expect(pageErrors(dave)).toEqual([]);
    await carol.page.context().close();
    await dave.page.context().close();
  }, 90_000);

  it('keeps the composer in view after 40 messages, and explains sends that cannot go or reached nobody', async () => {
    const erin = await openChat('erin');
    const { page } = erin;

    // Nothing to send, or nobody to send it to: a visible hint, nothing sent.
    await page.fill('#text', '   ');
    await page.press('#text', 'Enter');
    expect(await page.locator('#composer-hint').textContent()).toContain('Write a message first');
    await send(page, 'to whom?', { kind: 'user', value: '' });
    expect(await page.locator('#composer-hint').textContent()).toContain('Enter the user id');
    expect(await page.locator('#messages li.message').count()).toBe(0);

    // A user with no connection: nobody received it, and the page says so.
    await send(page, 'Are you there?', { kind: 'user', value: 'nobody-is-called-this' });
    const nobody = page.locator('#messages li.system.failure', { hasText: 'Nobody received' });
    await nobody.waitFor();
    expect(await nobody.textContent()).toContain('nobody-is-called-this is not online');
    expect(await page.locator('#messages li.message', { hasText: 'Are you there?' }).count()).toBe(0);
    await send(page, 'Hello group', { kind: 'group', value: 'no-such-group' });
    await page.locator('#messages li.system.failure', { hasText: '#no-such-group has no members' }).waitFor();
    await screenshot(page, 'browser-chat-nobody-received');

    await page.selectOption('#target-kind', 'all');
    for (let index = 1; index <= 40; index += 1) {
      await page.fill('#text', `Message number ${String(index)}`);
      await page.press('#text', 'Enter');
      await page
        .locator('#messages li.message .text', { hasText: new RegExp(`^Message number ${String(index)}$`) })
        .waitFor();
    }
    const viewport = page.viewportSize();
    const composer = await page.locator('#composer').boundingBox();
    expect(viewport).not.toBeNull();
    expect(composer).not.toBeNull();
    if (viewport === null || composer === null) return;
    expect(composer.y).toBeGreaterThanOrEqual(0);
    expect(composer.y + composer.height).toBeLessThanOrEqual(viewport.height);
    // The list scrolls inside its pane, at its end; the page itself does not scroll.
    const pane = await page.locator('#messages').evaluate((list) => ({
      scrolls: list.scrollHeight > list.clientHeight,
      atEnd: list.scrollHeight - list.scrollTop - list.clientHeight < 2,
    }));
    expect(pane).toEqual({ scrolls: true, atEnd: true });
    expect(await page.locator('html').evaluate((root) => root.scrollHeight <= root.clientHeight)).toBe(true);
    await expect
      .poll(() => page.locator('#messages li.message', { hasText: 'Message number 40' }).isVisible())
      .toBe(true);
    await screenshot(page, 'browser-chat-40-messages');
    expect(erin.errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('keeps the conversation when reconnecting gives up, says why, and reconnects on request', async () => {
    if (app === undefined) throw new Error('set-up failed');
    const frank = await openChat('frank', { fakeClock: true });
    const { page } = frank;
    await send(page, 'Before the outage');
    await waitForMessage(page, 'Before the outage');

    await app.stop();
    try {
      await page.locator('#status', { hasText: 'reconnecting' }).waitFor();
      // Move the page's clock past every retry delay: the client gives up without the test waiting 40 s.
      const lost = page.locator('#lost');
      for (let step = 0; step < 40 && !(await lost.isVisible()); step += 1) {
        await page.clock.runFor(5_000);
        await page.waitForTimeout(50);
      }
      await lost.waitFor({ state: 'visible' });
    } finally {
      await app.start();
    }
    expect(await page.locator('#lost-reason').textContent()).toMatch(
      /could not be restored after several tries.*Your conversation is kept here; press Reconnect/s,
    );
    expect(await page.locator('#status').textContent()).toBe('offline');
    // The history stays, the join form does not come back.
    expect(await page.locator('#messages li.message', { hasText: 'Before the outage' }).count()).toBe(1);
    expect(await page.locator('#join').isHidden()).toBe(true);
    expect(await page.locator('#text').isDisabled()).toBe(true);
    await screenshot(page, 'browser-chat-gave-up');

    await page.click('#reconnect');
    await page.locator('#messages li.system', { hasText: 'Reconnected.' }).waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toBe('online · JSON');
    expect(await page.locator('#lost').isHidden()).toBe(true);
    expect(await page.locator('#messages li.message', { hasText: 'Before the outage' }).count()).toBe(1);
    await send(page, 'After the outage');
    await waitForMessage(page, 'After the outage');
    expect(pageErrors(frank)).toEqual([]);
    await page.context().close();
  }, 90_000);
});
