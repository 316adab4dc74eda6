// Screening and follow-up on a phone in real Chromium: fill in AUDIT with its real items, see the
// score and zone, record a 6-month follow-up with ASI ratings, and see both charts. axe-core checks
// the form and the outcomes page.
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

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the phone`);
}

test('a case manager fills in AUDIT and a follow-up on a phone and sees the charts', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill('anna.berg');
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { name: 'Mina klienter' }).waitFor();
  const href = await page.locator('ul.caseload > li > a:not(.quick)').first().getAttribute('href');
  await page.goto(`${vaka.base}${href}`);
  await page.getByRole('link', { name: /Bedömningar och uppföljning/ }).click();
  await page.getByRole('heading', { name: /Bedömningar och uppföljning/ }).waitFor();

  await page.getByRole('link', { name: '+ AUDIT' }).click();
  await page.getByText('1. Hur ofta dricker du alkohol?').waitFor();
  assert.deepEqual(await axeViolations(page), [], 'AUDIT form accessibility');
  await noOverflow(page, 'the AUDIT form');
  const answers = [
    ['1.', '2–3 gånger i veckan'],
    ['2.', '5–6'],
    ['3.', 'Varje månad'],
    ['4.', 'Mer sällan än en gång i månaden'],
    ['5.', 'Aldrig'],
    ['6.', 'Aldrig'],
    ['7.', 'Varje månad'],
    ['8.', 'Aldrig'],
    ['9.', 'Nej'],
    ['10.', 'Ja, under det senaste året'],
  ];
  for (const [number, option] of answers) {
    const group = page.locator('fieldset.options', { has: page.locator('legend', { hasText: new RegExp(`^${number.replace('.', '\\.')} `) }) });
    await group.getByText(option, { exact: true }).click();
  }
  await page.screenshot({ path: join(artifacts, 'audit-form-phone.png'), fullPage: false });
  await page.getByRole('button', { name: 'Spara och räkna poäng' }).click();
  // 3 + 2 + 2 + 1 + 0 + 0 + 2 + 0 + 0 + 4 = 14.
  const result = page.locator('#result');
  await result.waitFor();
  assert.match(await result.innerText(), /AUDIT: 14 poäng/);
  assert.match(await result.innerText(), /Zon II: riskbruk|Zon III: skadligt bruk/);
  assert.match(await result.innerText(), /Över gränsvärdet/);

  await page.getByRole('link', { name: '+ Registrera uppföljning' }).click();
  await page.getByRole('group', { name: 'Tidpunkt' }).getByText('6 månader').click();
  await page.getByRole('group', { name: 'Genomförd?' }).getByText('Genomförd', { exact: true }).click();
  await page.getByLabel('Dagar med alkohol senaste 30 dagarna').fill('4');
  await page.getByLabel('Dagar med narkotika senaste 30 dagarna').fill('0');
  await page.getByLabel('Boende', { exact: true }).selectOption('own');
  await page.getByLabel('Sysselsättning').selectOption('work');
  await page.getByRole('group', { name: /Problematiskt bruk/ }).getByText('Nej').click();
  await page.getByLabel('Alkohol', { exact: true }).selectOption('5');
  await page.getByLabel('Psykisk hälsa').selectOption('3');
  assert.deepEqual(await axeViolations(page), [], 'follow-up form accessibility');
  await noOverflow(page, 'the follow-up form');
  await page.getByRole('button', { name: 'Spara uppföljningen' }).click();

  await page.getByRole('heading', { name: /Problemområden/ }).waitFor();
  assert.ok(await page.locator('svg.asi-chart rect.asi').count() >= 7, 'the ASI grid is drawn');
  assert.ok(await page.locator('svg .score-dot.audit').count() >= 1, 'the score chart has the AUDIT');
  assert.deepEqual(await axeViolations(page), [], 'outcomes page accessibility');
  await noOverflow(page, 'the outcomes page');
  await page.screenshot({ path: join(artifacts, 'outcomes-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
