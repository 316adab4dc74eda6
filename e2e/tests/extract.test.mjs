// A person's data request in real Chromium on a phone: the unit head opens the extract from the
// client page, marks a journal note about someone else as withheld, and downloads the PDF; axe on
// the review page; the PDF's first page kept as a picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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

test('a unit head reviews a data request, withholds a note and gets the PDF', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill('birgitta.falk');
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(/\/caseload$/);
  await page.goto(`${vaka.base}/clients/1`);
  await page.getByRole('link', { name: 'Registerutdrag' }).click();
  await page.getByRole('heading', { name: 'Registerutdrag', level: 1 }).waitFor();
  await page.getByRole('heading', { name: /Journalanteckningar/ }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page fits a phone (${width} px)`);
  // Withhold the first free-text journal field.
  const box = page.locator('input[name=withhold][value^="contacts."][value$=".note"]').first();
  const key = await box.getAttribute('value');
  await box.check();
  await page.screenshot({ path: join(artifacts, 'extract-phone.png'), fullPage: false });
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = axe.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
  assert.deepEqual(serious, []);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Skapa utdrag (PDF)' }).click(),
  ]);
  const pdfPath = join(artifacts, 'extract.pdf');
  await download.saveAs(pdfPath);
  assert.equal(readFileSync(pdfPath).subarray(0, 4).toString(), '%PDF');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdfPath, join(artifacts, 'extract-pdf')]);
  // The JSON of the same request holds the mark.
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Skapa utdrag (JSON)' }).click(),
  ]);
  const extract = JSON.parse(readFileSync(await json.path(), 'utf8'));
  const [, id] = key.split('.');
  const note = extract.records.contacts.find((c) => String(c.id) === id).note;
  assert.match(note, /undantaget enligt OSL/);
  assert.deepEqual(problems, []);
  await context.close();
});
