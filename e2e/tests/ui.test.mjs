// The UI in real Chromium at phone size: log in, the caseload, a client, the language switch,
// logout; no CSP violations or console errors; an axe-core accessibility check on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startVaka, launchBrowser, phone, artifacts, DEMO_PASSWORD } from './server.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let vaka;
let browser;

before(async () => {
  vaka = await startVaka();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vaka?.stop();
});

function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return problems;
}

async function logIn(page, username) {
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

/** Serious or critical axe-core violations on the page as it is now. */
async function axeViolations(page) {
  // Evaluate the engine in the page without adding a script tag (the CSP forbids inline script).
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

test('a case manager logs in on a phone, sees the caseload and opens a client', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);

  await page.goto(`${vaka.base}/`);
  assert.match(page.url(), /\/login$/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
  await page.screenshot({ path: join(artifacts, 'login-phone.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'login page accessibility');

  await logIn(page, 'anna.berg');
  assert.match(page.url(), /\/caseload$/);
  await page.getByRole('heading', { name: 'Mina klienter' }).waitFor();
  const clients = page.locator('ul.caseload > li');
  assert.ok((await clients.count()) > 0, 'the demo gives anna.berg clients');
  await page.screenshot({ path: join(artifacts, 'caseload-phone.png'), fullPage: false });
  assert.deepEqual(await axeViolations(page), [], 'caseload accessibility');

  // Nothing overflows sideways on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the caseload is ${overflow}px wider than the phone`);

  await clients.first().locator('a:not(.quick)').click();
  assert.match(page.url(), /\/clients\/\d+$/);
  await page.getByRole('heading', { name: 'Ärenden' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'client-phone.png'), fullPage: true });
  await page.locator('section.card', { has: page.getByRole('heading', { name: 'Insatser och placeringar' }) })
    .screenshot({ path: join(artifacts, 'client-placements-phone.png') });
  assert.deepEqual(await axeViolations(page), [], 'client page accessibility');

  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Cases' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.screenshot({ path: join(artifacts, 'client-phone-en.png'), fullPage: false });

  await page.getByRole('button', { name: 'Log out' }).click();
  assert.match(page.url(), /\/login$/);
  await page.goto(`${vaka.base}/caseload`);
  assert.match(page.url(), /\/login$/, 'after logout the caseload needs a new login');

  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await context.close();
});

test('a wrong password shows one message and no session', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill('anna.berg');
  await page.getByLabel('Lösenord').fill('inte-det-ratta-losenordet');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal((await page.getByRole('alert').textContent()).trim(), 'Fel användarnamn eller lösenord.');
  const cookies = await context.cookies();
  assert.ok(!cookies.some((c) => c.name === 'vaka_session'));
  await page.screenshot({ path: join(artifacts, 'login-failed-phone.png') });
  await context.close();
});

test('the unit head sees the unit on a laptop', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await logIn(page, 'birgitta.falk');
  await page.getByRole('heading', { name: 'Enhetens klienter' }).waitFor();
  await page.getByRole('heading', { name: 'Eskalerade larm' }).waitFor();
  assert.ok((await page.locator('ul.caseload > li').count()) > 0);
  // Each line says who follows the client.
  assert.ok((await page.locator('ul.caseload > li dt', { hasText: 'Case manager' }).count()) > 0);
  // The applications waiting for a decision, each with a way to decide.
  await page.getByRole('heading', { name: 'Ansökningar som väntar på beslut' }).waitFor();
  assert.ok((await page.locator('#pending li a', { hasText: '+ Beslut' }).count()) > 0);
  await page.locator('#pending').screenshot({ path: join(artifacts, 'pending-applications-laptop.png') });
  await page.screenshot({ path: join(artifacts, 'unit-laptop.png') });
  assert.deepEqual(await axeViolations(page), [], 'unit page accessibility');
  await context.close();
});

test('a case manager uses emergency access for a client outside the caseload', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await logIn(page, 'anna.berg');
  const hrefs = await page.locator('ul.caseload a:not(.quick)').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const mine = new Set(hrefs.map((h) => Number(h.split('/').pop())));
  const other = [...Array(200).keys()].map((i) => i + 1).find((id) => !mine.has(id));
  await page.goto(`${vaka.base}/clients/${other}`);
  await page.getByRole('heading', { name: 'Nödåtkomst' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'emergency-form-phone.png') });
  assert.deepEqual(await axeViolations(page), [], 'emergency form accessibility');
  await page.getByLabel('Skäl').fill('Klienten ringer i kris, ordinarie handläggare är ledig');
  await page.getByRole('button', { name: 'Öppna med nödåtkomst' }).click();
  await page.getByText('Öppnad med nödåtkomst').waitFor();
  await page.screenshot({ path: join(artifacts, 'emergency-open-phone.png') });
  await context.close();
});

test('an auditor reviews a flagged access on a phone', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await logIn(page, 'gun.granskare');
  assert.match(page.url(), /\/audit$/);
  await page.getByRole('heading', { name: 'Logguppföljning' }).waitFor();
  await page.getByLabel('Bara poster att granska').check();
  await page.getByRole('button', { name: 'Sök' }).click();
  const flagged = page.locator('ol.audit > li.flagged');
  assert.ok((await flagged.count()) > 0, 'the earlier tests left entries worth a look');
  await page.screenshot({ path: join(artifacts, 'audit-phone.png') });
  assert.deepEqual(await axeViolations(page), [], 'review page accessibility');
  const first = flagged.first();
  await first.getByLabel('Kommentar').fill('Kontrollerad i e2e-testet');
  await first.getByRole('button', { name: 'Markera som granskad' }).click();
  await page.getByText('Kontrollerad i e2e-testet').first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
