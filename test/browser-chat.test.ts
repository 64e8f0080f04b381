// The chat page in a real browser: headless Chromium (Debian's package) opens the sample's page twice, as
// two users, and they talk to each other through the app and the service emulator. Screenshots of both
// pages are saved under test-results/ as artifacts.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, startChatApp } from './sample-chat-app.js';
import type { ChatApp } from './sample-chat-app.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-results/', import.meta.url));

interface ChatPage {
  readonly page: Page;
  /** Uncaught errors and console errors of the page: a working page has none. */
  readonly errors: string[];
}

describe('chat page in Chromium', () => {
  let app: ChatApp | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The browser tests need Debian's chromium at ${CHROMIUM}: run \`bash scripts/setup.sh --browser\` (CI does).`);
    }
    app = await startChatApp();
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

  async function openChat(name: string, options: { token?: string; protocol?: 'json' | 'messagepack' } = {}): Promise<ChatPage> {
    if (app === undefined || browser === undefined) throw new Error('set-up failed');
    // One context per user: separate storage, as two people on two machines.
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
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

  async function send(page: Page, text: string, target: { kind: 'all' | 'user' | 'connection' | 'group' | 'admin'; value?: string } = { kind: 'all' }): Promise<void> {
    await page.selectOption('#target-kind', target.kind);
    if (target.value !== undefined) await page.fill('#target-value', target.value);
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }

  async function waitForMessage(page: Page, text: string): Promise<{ from: string; tag: string | null; mine: boolean }> {
    const item = page.locator('#messages li.message', { has: page.locator('.text', { hasText: text }) }).last();
    await item.waitFor({ state: 'visible' });
    return {
      from: (await item.locator('.from').textContent()) ?? '',
      tag: await item.locator('.tag').first().textContent({ timeout: 1_000 }).catch(() => null),
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
    expect(await waitForMessage(alice.page, 'Hi Alice, just you')).toEqual({ from: 'bob', tag: 'private', mine: false });
    expect(await waitForMessage(bob.page, 'Hi Alice, just you')).toEqual({ from: 'you', tag: 'to alice', mine: true });

    // To a group: both join, alice writes to it.
    for (const { page } of [alice, bob]) {
      await page.fill('#group-name', 'team');
      await page.press('#group-name', 'Enter');
      await page.locator('#groups li', { hasText: 'team' }).waitFor();
    }
    await send(alice.page, 'Stand-up in 5 minutes', { kind: 'group', value: 'team' });
    expect(await waitForMessage(bob.page, 'Stand-up in 5 minutes')).toEqual({ from: 'alice', tag: '#team', mine: false });

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

  it('shows why it cannot connect when the bearer token does not verify', async () => {
    const forged = await bearerToken({ sub: 'mallory', admin: true }, { secret: 'not-the-app-secret-not-the-app-secret' });
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
});
