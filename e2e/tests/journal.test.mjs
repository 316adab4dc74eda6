// A case manager's day on a phone in real Chromium: open the caseload, record a relapse with the
// journal form, see the alert on the client page, acknowledge and resolve it; the draft survives a
// closed tab; the form works with JavaScript switched off. axe-core checks each page.
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

async function logIn(page, username) {
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return problems;
}

/** The first client in the caseload without open alerts, so the new alert is easy to find. */
async function quietClient(page) {
  await page.getByRole('heading', { name: 'Mina klienter' }).waitFor();
  const quiet = page.locator('ul.caseload > li:not(.has-alerts) > a:not(.quick)');
  assert.ok((await quiet.count()) > 0, 'anna.berg has a client without alerts');
  const href = await quiet.last().getAttribute('href');
  return href;
}

test('a case manager records a relapse on a phone, sees the alert and acknowledges it', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await logIn(page, 'anna.berg');
  const href = await quietClient(page);
  await page.goto(`${vaka.base}${href}`);
  await page.getByRole('heading', { name: 'Tidslinje' }).waitFor();
  await page.locator('section.timeline').screenshot({ path: join(artifacts, 'timeline-phone.png') });
  await page.getByRole('link', { name: '+ Registrera kontakt' }).click();
  await page.getByRole('heading', { name: 'Ny kontakt' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'journal form accessibility');

  await page.getByRole('group', { name: 'Typ' }).getByText('Hembesök').click();
  await page.getByRole('group', { name: 'Bruk sedan senaste kontakten' }).getByText('Återfall').click();
  await page.getByRole('group', { name: /Substanser/ }).getByText('Alkohol').click();
  await page.getByRole('group', { name: /Risker sedan senaste kontakten/ }).getByText('Våld (utsatt eller utövat)').click();
  await page.getByRole('group', { name: /Mående/ }).getByText('2', { exact: true }).click();
  await page.getByRole('group', { name: 'Sömn' }).getByText('Dålig').click();
  await page.getByLabel('Anteckning').fill('Har druckit sedan fredag. Vill ha hjälp, ringer beroendemottagningen i morgon.');
  // The script saves the draft once the entry is complete.
  await page.getByText('Utkastet sparat.').waitFor();
  assert.match(page.url(), /\/contacts\/\d+\/edit$/);
  await page.screenshot({ path: join(artifacts, 'journal-form-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the form is ${overflow}px wider than the phone`);

  await page.getByRole('button', { name: 'Signera' }).click();
  await page.getByRole('heading', { name: 'Öppna larm' }).waitFor();
  const alert = page.locator('#alerts li', { hasText: 'Återfall rapporterat' });
  await alert.waitFor();
  // The risk ticked in the form is its own alert, and shows beside the entry.
  await page.locator('#alerts li', { hasText: 'Våld rapporterat' }).waitFor();
  await page.locator('#journal li', { hasText: 'Risker: Våld (utsatt eller utövat)' }).first().waitFor();
  await page.locator('#alerts').screenshot({ path: join(artifacts, 'alert-phone.png') });
  assert.deepEqual(await axeViolations(page), [], 'client page with alerts accessibility');

  await alert.getByRole('button', { name: 'Kvittera' }).click();
  await page.locator('#alerts li', { hasText: 'kvitterat' }).first().waitFor();
  const acknowledged = page.locator('#alerts li', { hasText: 'Återfall rapporterat' });
  assert.match(await acknowledged.textContent(), /kvitterat/);
  await acknowledged.getByLabel('Vad gjordes?').fill('Ringt beroendemottagningen, tid bokad på torsdag.');
  await acknowledged.getByRole('button', { name: 'Åtgärdat' }).click();
  await page.getByRole('heading', { name: 'Åtgärdade larm' }).waitFor();
  await page.getByText('Ringt beroendemottagningen, tid bokad på torsdag.').waitFor();
  await page.locator('section.timeline').screenshot({ path: join(artifacts, 'timeline-after-phone.png') });
  await page.screenshot({ path: join(artifacts, 'client-after-relapse-phone.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no console errors or CSP violations');
  await context.close();
});

test('what is typed survives a closed tab before it could be saved', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await logIn(page, 'anna.berg');
  const href = await quietClient(page);
  await page.goto(`${vaka.base}${href}/contacts/new`);
  // Incomplete (no use chosen): kept in the browser only.
  await page.getByLabel('Anteckning').fill('Halvskriven anteckning från bussen');
  await page.getByText('Sparat i den här webbläsaren').waitFor();
  await page.close();
  const again = await context.newPage();
  await again.goto(`${vaka.base}${href}/contacts/new`);
  await again.getByText('Ej sparad text har återställts').waitFor();
  assert.equal(await again.getByLabel('Anteckning').inputValue(), 'Halvskriven anteckning från bussen');
  await context.close();
});

test('the journal form works with JavaScript switched off', async () => {
  const context = await phone(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await logIn(page, 'anna.berg');
  const href = await quietClient(page);
  await page.goto(`${vaka.base}${href}/contacts/new`);
  await page.getByRole('group', { name: 'Typ' }).getByText('Telefon').click();
  await page.getByRole('group', { name: 'Bruk sedan senaste kontakten' }).getByText('Inget bruk').click();
  // Without a rating the entry is still valid; save as a draft, then sign.
  await page.getByRole('button', { name: 'Spara utkast' }).click();
  await page.getByText('Utkastet är sparat').waitFor();
  await page.getByRole('button', { name: 'Signera' }).click();
  await page.getByRole('heading', { name: 'Senaste kontakter' }).waitFor();
  assert.match(page.url(), new RegExp(`${href}(#journal)?$`));
  await context.close();
});

test('a client\'s objection to a signed entry is recorded beside it, on a phone', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await logIn(page, 'anna.berg');
  const href = await quietClient(page);
  await page.goto(`${vaka.base}${href}`);
  const entry = page.locator('ol.journal > li', { has: page.getByRole('link', { name: '+ Klientens synpunkt' }) }).first();
  const id = await entry.getAttribute('id');
  const ownText = (el) => [...el.children].filter((c) => !c.classList.contains('objection')).map((c) => c.textContent).join('|');
  const original = await entry.evaluate(ownText);
  await entry.getByRole('link', { name: '+ Klientens synpunkt' }).click();
  await page.getByRole('heading', { name: 'Klientens synpunkt på anteckningen' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'objection form accessibility');

  // Only spaces (the browser's own check lets them through): the error names the field.
  await page.getByLabel('Klientens synpunkt').fill('   ');
  await page.getByRole('button', { name: 'Spara synpunkten' }).click();
  await page.locator('#form-errors').getByText(/Klientens synpunkt/).waitFor();
  await page.screenshot({ path: join(artifacts, 'objection-error-phone.png'), fullPage: true });

  const said = 'Jag var inte påverkad vid besöket, jag hade tagit min medicin.';
  await page.getByLabel('Klientens synpunkt').fill(said);
  await page.getByRole('button', { name: 'Spara synpunkten' }).click();
  await page.getByRole('heading', { name: 'Senaste kontakter' }).waitFor();
  const objection = page.locator('ol.journal .objection', { hasText: said });
  await objection.waitFor();
  const shown = page.locator(`#${id}`);
  assert.equal(await shown.locator('.objection', { hasText: said }).count(), 1, 'the objection is under its entry');
  // The entry itself reads as before.
  assert.equal(await shown.evaluate(ownText), original);
  await shown.screenshot({ path: join(artifacts, 'objection-phone.png') });
  assert.deepEqual(await axeViolations(page), [], 'client page with an objection accessibility');
  // The 422 answer to the blank statement is the page working, not a problem.
  const real = problems.filter((p) => !p.includes('status of 422'));
  assert.deepEqual(real, [], 'no console errors or CSP violations');
  await context.close();
});
