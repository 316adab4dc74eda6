// The social committee's report in real Chromium: the page (looked at as a picture) and its PDF (rendered to a picture with pdftoppm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startVaka, launchBrowser, artifacts, DEMO_PASSWORD } from './server.mjs';

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

test('a unit head opens the committee report, with its charts, tables and PDF', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'sv-SE' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill('birgitta.falk');
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(/\/caseload$/);
  const year = new Date().getFullYear();
  await page.goto(`${vaka.base}/reports/committee?from=${year - 2}-01-01&to=${year - 1}-12-31`);
  await page.getByRole('heading', { name: /underlag till socialnämnden/ }).waitFor();
  assert.equal(await page.locator('svg.chart').count(), 3, 'survival curves, bars and cost over time');
  for (const heading of ['Kostnader', 'Utförare', 'Vägar genom vården', 'Svängdörren', 'Vad hände efter beslut som avvek', 'Eget boende efter ett år', 'Jämförelse med hänsyn till ålder']) {
    await page.getByRole('heading', { name: new RegExp(heading) }).waitFor();
  }
  assert.ok(await page.locator('table tbody tr').count() > 3);
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\d{8}-[\dR]\d{3}/, 'no personal numbers');
  await page.screenshot({ path: join(artifacts, 'committee-report.png'), fullPage: true });
  const pdf = await page.request.get(`${page.url()}&format=pdf`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const pdfPath = join(artifacts, 'committee-report.pdf');
  writeFileSync(pdfPath, await pdf.body());
  execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(artifacts, 'committee-report-pdf')]);
  // The later pages (costs, providers, pathways...) as pictures too: committee-report-pdf-2.png...
  execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '2', '-l', '4', pdfPath, join(artifacts, 'committee-report-pdf')]);
  assert.deepEqual(problems, []);
  await context.close();
});
