// The unit head's "what if" in real Chromium on a phone: the municipality's care pathways as a model,
// closing bought supported housing in favour of case management, the results with their uncertainty,
// the charts, and axe on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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

test('a unit head compares closing bought supported housing with things as they are', async () => {
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
  await page.goto(`${vaka.base}/economy`);
  await page.getByRole('link', { name: 'Tänk om: scenarier' }).click();
  await page.getByRole('heading', { name: /Tänk om: vårdkedjan/ }).waitFor();
  // The form: move everyone bound for bought supported housing to case management, over 5 years.
  await page.getByLabel('Förändring').selectOption('move');
  await page.getByLabel('Flytta från').selectOption('supported_housing');
  await page.getByLabel('till', { exact: true }).selectOption('case_management');
  await page.getByLabel('Andel som flyttas (%)').fill('100');
  await page.getByLabel('År framåt (1–10)').fill('5');
  await page.getByLabel('Dragningar (100–10 000)').fill('500');
  await page.getByRole('button', { name: 'Räkna' }).click();
  await page.getByRole('heading', { name: 'Resultat över 5 år' }).waitFor();
  const rows = page.locator('section:has(h2:text("Resultat")) tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /Som i dag/);
  assert.match(await rows.nth(1).innerText(), /Stäng Stödboende/);
  assert.equal(await page.locator('svg.chart').count(), 2, 'plane and acceptability curve');
  const text = await page.locator('body').innerText();
  assert.match(text, /Antaganden/);
  assert.doesNotMatch(text, /\d{8}-[\dR]\d{3}/, 'no personal numbers');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page fits a phone (${width} px)`);
  await page.screenshot({ path: join(artifacts, 'scenario-phone.png'), fullPage: true });
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = axe.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
  assert.deepEqual(serious, []);
  // The PDF for the committee's papers, its first page as a picture.
  const href = await page.getByRole('link', { name: 'PDF för nämndens handlingar' }).getAttribute('href');
  const pdf = await page.request.get(new URL(href, page.url()).toString());
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const pdfPath = join(artifacts, 'scenario.pdf');
  writeFileSync(pdfPath, await pdf.body());
  execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '2', pdfPath, join(artifacts, 'scenario-pdf')]);
  // Into the committee report: the scenario as its last sections.
  await page.getByRole('link', { name: 'Lägg till i underlaget till socialnämnden' }).click();
  await page.getByRole('heading', { name: 'Scenario: Resultat över 5 år' }).waitFor();
  await page.getByRole('heading', { name: 'Insatserna i korthet' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'committee-with-scenario-phone.png'), fullPage: true });
  await page.goBack();
  // A capacity: at most five places in bought supported housing; who does not get one waits.
  await page.getByLabel('Förändring').selectOption('capacity');
  await page.getByLabel('Formen vars pris eller platser ändras').selectOption('supported_housing');
  await page.getByLabel('Högst antal platser åt gången').fill('5');
  await page.getByRole('button', { name: 'Räkna' }).click();
  await page.getByRole('heading', { name: 'Resultat över 5 år' }).waitFor();
  assert.match(await page.locator('section:has(h2:text("Resultat")) tbody tr').nth(1).innerText(), /högst 5 platser/);
  assert.match(await page.locator('body').innerText(), /väntar där den är/);
  assert.deepEqual(problems, []);
  // A bad value names the field (the 422 is the browser's console error, expected here).
  await page.goto(`${vaka.base}/reports/scenario?years=40`);
  assert.match(await page.locator('[role=alert]').innerText(), /years/);
  // The model file for analysts.
  const file = await page.request.get(`${vaka.base}/reports/scenario?lever=none&format=json`);
  assert.equal(file.headers()['content-type'], 'application/json');
  const model = await file.json();
  assert.equal(model.states.length, 7);
  assert.equal(model.cycles, 60);
  await context.close();
});
