// The unit head's desk in real Chromium at phone size: a case from application to decision (with
// its departures justified), placement, price change and end, all by clicking through the forms;
// then the decision letter (HTML and PDF, both as pictures to look at), an invoice reconciled with
// its mismatches listed, and the year's budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startVaka, launchBrowser, phone, artifacts, DEMO_PASSWORD } from './server.mjs';

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

const day = (daysAgo) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' })
  .format(new Date(Date.now() - daysAgo * 86_400_000));
const today = day(0);

// Nothing on the page is wider than the phone: a wider page is zoomed out, and taps miss.
async function fits(page) {
  const [inner, scroll] = await page.evaluate(() => [innerWidth, document.documentElement.scrollWidth]);
  assert.deepEqual([inner, scroll], [390, 390], `${page.url()} fits a 390 px phone`);
}

test('a unit head takes a case from application to the end of its placement, on a phone', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  // Console errors such as a style or script the Content-Security-Policy refused; a form answered
  // with 422 is expected and logged by Chromium as a failed resource.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill('birgitta.falk');
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(/\/caseload$/);
  await page.locator('.caseload li > a:not(.quick)').first().click();
  await page.waitForURL(/\/clients\/\d+/);
  const client = page.url().replace(/[?#].*$/, '');

  // The application, in the client's own words, and the psychiatrist's recommendation.
  await page.getByRole('link', { name: '+ Ansökan' }).click();
  await page.locator('#f-intervention').selectOption('treatment_home');
  await page.locator('#f-description').fill('Jag vill komma till ett behandlingshem en tid.');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL(/#decisions$/);
  await page.getByRole('link', { name: '+ Rekommendation' }).click();
  await page.locator('#f-intervention').selectOption('treatment_home');
  await page.locator('#f-profession').selectOption('psychiatrist');
  await page.locator('#f-recommended_on').fill(today);
  await page.locator('#f-document_ref').fill('Psykiatrins utlåtande, dnr 2026-123');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL(/#decisions$/);

  // A decision for outpatient care departs from both: the form asks for a justification of each.
  await page.getByRole('link', { name: '+ Beslut' }).click();
  await page.getByText('Jag vill komma till ett behandlingshem en tid.').waitFor();
  await page.locator('#f-intervention').selectOption('outpatient');
  await page.locator('#f-outcome').selectOption('granted');
  await page.locator('#f-reasons').fill('Utredningen visar att behovet kan mötas med öppenvård nära hemmet.');
  await page.getByRole('button', { name: 'Fatta beslut' }).click();
  const summary = page.locator('#form-errors');
  await summary.waitFor();
  assert.equal(await summary.locator('li').count(), 2);
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'decision-departure-phone.png'), fullPage: true });
  await summary.getByRole('link', { name: /avvikelse från ansökan/ }).click();
  await page.locator('#f-departure_justifications-application').fill('Bostaden är kvar och nätverket bär; behandlingshem skulle bryta det.');
  await page.locator('#f-departure_justifications-recommendation').fill('Utlåtandet gällde den akuta fasen, som är över enligt läkarens senaste anteckning.');
  await page.locator('#f-notified_on').fill(today);
  await page.getByRole('button', { name: 'Fatta beslut' }).click();
  await page.waitForURL(/\/decisions\/\d+$/);
  const decision = page.url();
  await page.getByText(/Beslutet avviker från ansökan\. Motivering: Bostaden är kvar/).waitFor();
  await page.getByText(/Överklagandetid löper till/).waitFor();
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'decision-phone.png'), fullPage: true });

  // The placement: a direct purchase with its own price and reason, a price change, then the end.
  await page.getByRole('link', { name: '+ Placering' }).click();
  await page.locator('#f-provider_id').selectOption({ index: 1 });
  await page.locator('#f-start').fill(day(10));
  await page.locator('#f-daily_price_ore').fill('900');
  await page.locator('#f-price_reason').fill('Direktupphandling, inget avtal för öppenvård');
  await page.getByRole('button', { name: 'Starta placeringen' }).click();
  await page.waitForURL(/\/placements\/\d+$/);
  const price = page.locator('form#price');
  await price.locator('#f-from').fill(today);
  await price.locator('#f-daily_price_ore').fill('950');
  await price.locator('#f-reason').fill('Utökad behandling');
  await price.getByRole('button', { name: 'Spara' }).click();
  await page.locator('td', { hasText: 'Utökad behandling' }).waitFor();
  const end = page.locator('form#end');
  await end.locator('#f-end').fill(today);
  await end.locator('#f-end_reason').selectOption('completed_as_planned');
  await end.getByRole('button', { name: 'Spara' }).click();
  await page.getByText('Avslutad enligt plan').waitFor();
  assert.equal(await page.locator('form#end').count(), 0, 'an ended placement has no end form');
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'placement-phone.png'), fullPage: true });

  // The decision's letter, as a printable page and as PDF, looked at on an A4-sized desktop page
  // (resizing the phone page would leave it zoomed out).
  await page.goto(decision);
  const letterHref = await page.getByRole('link', { name: 'Beslutsbrev' }).getAttribute('href');
  const desk = await browser.newContext({ viewport: { width: 794, height: 1123 }, storageState: await context.storageState() });
  const letter = await desk.newPage();
  letter.on('console', (m) => { if (m.type() === 'error') problems.push(`letter: ${m.text()}`); });
  await letter.goto(`${vaka.base}${letterHref}`);
  await letter.getByRole('heading', { name: 'Hur du överklagar' }).waitFor();
  const text = await letter.locator('body').innerText();
  assert.match(text, /Du har ansökt om behandlingshem \(HVB\)\. Socialnämnden beviljar dig i stället öppenvård\./);
  assert.match(text, /Varför beslutet skiljer sig från din ansökan: Bostaden är kvar/);
  assert.match(text, /förvaltningsrätten/);
  const serif = await letter.locator('body').evaluate((b) => getComputedStyle(b).fontFamily);
  assert.match(serif, /Georgia|serif/, 'the letter style sheet applies');
  await letter.screenshot({ path: join(artifacts, 'decision-letter.png'), fullPage: true });
  const pdf = await letter.request.get(`${letter.url()}?format=pdf`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const bytes = await pdf.body();
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const pdfPath = join(artifacts, 'decision-letter.pdf');
  writeFileSync(pdfPath, bytes);
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(artifacts, 'decision-letter-pdf')]);
  await desk.close();

  // An invoice with a row for a placement that does not exist, sent with the button itself.
  await page.goto(`${vaka.base}/economy`);
  await page.locator('#csv').fill(
    'invoice_number;organisation_number;placement_id;period_start;period_end;days;amount\nF-1;202100-5489;99999999;2026-01-01;2026-01-31;31;1 000,00\n',
  );
  await fits(page);
  await page.getByRole('button', { name: 'Stäm av' }).click();
  await page.getByText('Okänd placering').first().waitFor();
  await page.locator('#invoices').screenshot({ path: join(artifacts, 'invoice-reconciliation-phone.png') });

  // The year's budget: set on its page, shown with the forecast.
  await page.getByRole('link', { name: /Sätt budget för/ }).click();
  await page.locator('#f-amounts-outpatient').fill('2 500 000');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL(/\/economy\?year=\d+#budget$/);
  await page.locator('#budget td', { hasText: '2 500 000 kr' }).first().waitFor();
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'economy-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  assert.ok(client);
  await context.close();
});
