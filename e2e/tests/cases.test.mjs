// A case in real Chromium at phone size: the unit head hands a client's case to another case
// manager, who then finds the client on their caseload and closes the case with its reason; the
// client leaves the caseload and the case page shows the closure and who had the case when.
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

async function logIn(context, username, password = DEMO_PASSWORD, landing = /\/caseload$/) {
  const page = await context.newPage();
  await page.goto(`${vaka.base}/login`);
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(landing);
  return page;
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

async function fits(page) {
  const [inner, scroll] = await page.evaluate(() => [innerWidth, document.documentElement.scrollWidth]);
  assert.deepEqual([inner, scroll], [390, 390], `${page.url()} fits a 390 px phone`);
}

test('a unit head hands a case over and the new case manager closes it, on a phone', async () => {
  const problems = [];
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
  };

  // The unit head opens a client followed by someone other than Anna Berg, and the open case.
  const head = await logIn(await phone(browser), 'birgitta.falk');
  watch(head);
  const row = head.locator('.caseload li', { hasNotText: 'Anna Berg' }).filter({ has: head.locator('a:not(.quick)') }).first();
  await row.locator('a:not(.quick)').first().click();
  await head.waitForURL(/\/clients\/\d+/);
  const client = head.url().replace(/[?#].*$/, '');
  const clientPath = new URL(client).pathname;
  const caseItem = head.locator('li', { hasText: 'Öppet' }).filter({ has: head.locator('a[href^="/cases/"]') }).first();
  await caseItem.locator('a[href^="/cases/"]').click();
  await head.waitForURL(/\/cases\/\d+$/);
  const casePath = new URL(head.url()).pathname;
  await head.getByRole('heading', { name: 'Byt case manager' }).waitFor();
  await fits(head);
  await head.screenshot({ path: join(artifacts, 'case-phone.png'), fullPage: true });
  assert.deepEqual(await axeViolations(head), [], 'case page accessibility');

  // A day before the case was opened is refused beside its field, then the handover is saved.
  await head.locator('#f-case_manager').selectOption({ label: 'Anna Berg' });
  await head.locator('#f-assigned_on').fill('2000-01-01');
  await head.getByRole('button', { name: 'Spara' }).click();
  const summary = head.locator('#form-errors');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Från och med/);
  assert.equal(await head.locator('#f-case_manager').inputValue(), 'anna.berg', 'the choice is kept');
  await head.locator('#f-assigned_on').fill(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date()));
  await head.getByRole('button', { name: 'Spara' }).click();
  await head.waitForURL(new RegExp(`${casePath}$`));
  await head.getByRole('cell', { name: 'Anna Berg' }).waitFor();

  // A second case manager joins for a while (housing support beside Anna Berg), then leaves.
  const add = head.locator('#add-manager');
  await add.getByLabel('Case manager').selectOption({ index: 1 });
  const second = (await add.locator('select[name="case_manager"] option:checked').textContent()).trim();
  await add.getByRole('button', { name: 'Lägg till case manager' }).click();
  await head.waitForURL(new RegExp(`${casePath}$`));
  const end = head.locator('#end-manager');
  await end.waitFor();
  assert.match(await head.locator('.facts').innerText(), new RegExp(`Anna Berg, ${second}|${second}, Anna Berg`));
  assert.deepEqual(await axeViolations(head), [], 'case page with two case managers accessibility');
  await fits(head);
  await head.screenshot({ path: join(artifacts, 'case-two-managers-phone.png'), fullPage: true });
  await end.getByLabel('Case manager').selectOption({ label: second });
  await end.getByRole('button', { name: 'Avsluta en case managers uppdrag' }).click();
  await head.waitForURL(new RegExp(`${casePath}$`));
  assert.equal(await head.locator('#end-manager').count(), 0, 'one case manager left: nothing to end');

  // Anna Berg now has the client, and closes the case from her phone.
  const anna = await logIn(await phone(browser), 'anna.berg');
  watch(anna);
  assert.ok(await anna.locator(`.caseload a[href="${clientPath}"]`).count() > 0, 'the client is on her caseload');
  await anna.goto(`${vaka.base}${casePath}`);
  await anna.getByRole('heading', { name: 'Avsluta ärendet' }).waitFor();
  assert.equal(await anna.getByRole('heading', { name: 'Byt case manager' }).count(), 0, 'only the unit head hands over');
  await anna.locator('#f-reason').selectOption('other');
  await anna.getByRole('button', { name: 'Avsluta ärendet' }).click();
  await anna.locator('#form-errors').waitFor();
  assert.match(await anna.locator('#form-errors').innerText(), /Annat/);
  await anna.locator('#close textarea[name="note"]').fill('Flyttar till sin syster i Norge.');
  await anna.getByRole('button', { name: 'Avsluta ärendet' }).click();
  await anna.waitForURL(/\/caseload$/);

  // The unit head sees the closure on the case and the client page.
  await head.goto(`${vaka.base}${casePath}`);
  await head.getByText('Flyttar till sin syster i Norge.').waitFor();
  assert.equal(await head.getByRole('heading', { name: 'Avsluta ärendet' }).count(), 0, 'a closed case has no forms');
  await fits(head);
  await head.screenshot({ path: join(artifacts, 'case-closed-phone.png'), fullPage: true });
  await head.goto(client);
  await head.getByText(/Avslutat \d{4}-\d{2}-\d{2} · Annat/).first().waitFor();
  assert.deepEqual(problems, []);
});

test('a case manager writes a goal in the plan with the person and follows it up, on a phone', async () => {
  const problems = [];
  const anna = await logIn(await phone(browser), 'anna.berg');
  anna.on('pageerror', (e) => problems.push(String(e)));
  await anna.locator('.caseload li a:not(.quick)').first().click();
  await anna.waitForURL(/\/clients\/\d+/);
  await anna.locator('a[href^="/cases/"]').first().click();
  await anna.waitForURL(/\/cases\/\d+$/);
  const casePath = new URL(anna.url()).pathname;
  await anna.getByRole('heading', { name: 'Genomförandeplan' }).waitFor();

  // A follow-up day already past comes back beside its field, the words kept; then it is saved.
  const add = anna.locator('#add-goal');
  const words = 'Ha en egen lägenhet till hösten.';
  await add.getByLabel(/^Område/).selectOption('housing');
  await add.getByLabel(/^Mål/).fill(words);
  await add.getByLabel(/^Vad görs, av vem/).fill('Anna följer med till bostadsförmedlingen.');
  await add.getByLabel(/^Följs upp/).fill('2020-01-01');
  await add.getByRole('button', { name: 'Lägg till mål i planen' }).click();
  await anna.locator('#form-errors').waitFor();
  assert.match(await anna.locator('#form-errors').innerText(), /Följs upp/);
  assert.equal(await anna.locator('#add-goal').getByLabel(/^Mål/).inputValue(), words, 'the words are kept');
  const inAMonth = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + 30 * 864e5));
  await anna.locator('#add-goal').getByLabel(/^Följs upp/).fill(inAMonth);
  await anna.locator('#add-goal').getByRole('button', { name: 'Lägg till mål i planen' }).click();
  await anna.waitForURL(new RegExp(`${casePath}$`));
  await anna.getByRole('cell', { name: words }).waitFor();

  // The follow-up: still going, with the day of the next one.
  const review = anna.locator('#review-goal');
  await review.getByLabel(/^Mål/).selectOption({ label: `Boende: ${words}` });
  await review.getByLabel(/^Läge/).selectOption('ongoing');
  const inTwoMonths = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + 60 * 864e5));
  await review.getByLabel(/^Nästa uppföljning/).fill(inTwoMonths);
  await review.getByLabel(/^Vad som sågs och bestämdes/).fill('Ansökan till bostadsförmedlingen är inskickad.');
  await review.getByRole('button', { name: 'Följ upp ett mål' }).click();
  await anna.waitForURL(new RegExp(`${casePath}$`));
  await anna.getByRole('cell', { name: 'Ansökan till bostadsförmedlingen är inskickad.' }).waitFor();
  await anna.getByRole('cell', { name: inTwoMonths }).first().waitFor();
  assert.deepEqual(await axeViolations(anna), [], 'case page with its plan accessibility');
  await fits(anna);
  await anna.screenshot({ path: join(artifacts, 'case-plan-phone.png'), fullPage: true });

  // A contact that served the goal names it in the journal, and the plan counts it.
  const client = await anna.locator('a[href^="/clients/"]').first().getAttribute('href');
  await anna.goto(`${vaka.base}${client}/contacts/new`);
  await anna.getByRole('group', { name: 'Typ' }).getByText('Möte', { exact: true }).click();
  await anna.getByRole('group', { name: 'Bruk sedan senaste kontakten' }).getByText('Inget bruk').click();
  await anna.getByLabel(/^Mål i genomförandeplanen/).selectOption({ label: `Boende: ${words}` });
  await anna.getByLabel('Anteckning').fill('Fyllde i ansökan till bostadsförmedlingen tillsammans.');
  await anna.getByRole('button', { name: 'Signera' }).click();
  await anna.waitForURL(/\/clients\/\d+#journal$/);
  const served = anna.locator('#journal li', { hasText: `Mål i genomförandeplanen: Boende: ${words}` }).first();
  await served.waitFor();
  await served.screenshot({ path: join(artifacts, 'journal-entry-goal-phone.png') });
  await anna.goto(`${vaka.base}${casePath}`);
  await anna.locator('tr', { hasText: words }).getByRole('cell', { name: /(^|\s)1 \(senast / }).first().waitFor();
  assert.deepEqual(problems, []);
});

test('a case manager registers a person who comes to the unit and opens the case, on a phone', async () => {
  const context = await phone(browser);
  const page = await logIn(context, 'anna.berg');
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  await page.getByRole('link', { name: '+ Nytt ärende' }).click();
  await page.waitForURL(/\/intakes\/new$/);
  await fits(page);
  assert.deepEqual(await axeViolations(page), [], 'intake form accessibility');
  // A new person without names: the form says which fields, and keeps the number.
  await page.locator('#f-personal_number').fill('19700101-R990');
  await page.locator('#f-origin').selectOption('report');
  await page.getByRole('button', { name: 'Öppna ärendet' }).click();
  const summary = page.locator('#form-errors');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Förnamn/);
  assert.equal(await page.locator('#f-personal_number').inputValue(), '19700101-R990');
  await page.screenshot({ path: join(artifacts, 'intake-errors-phone.png'), fullPage: true });
  await page.locator('#f-given_name').fill('Test');
  await page.locator('#f-family_name').fill('Intagsson');
  await page.getByRole('button', { name: 'Öppna ärendet' }).click();
  await page.waitForURL(/\/clients\/\d+$/);
  await page.getByText('Intagsson').first().waitFor();
  assert.ok(await page.locator('a[href^="/cases/"]').count() > 0, 'the new case is listed');
  await page.goto(`${vaka.base}/caseload`);
  await page.getByText('Intagsson').first().waitFor();
  assert.deepEqual(problems, []);
});

test('a case manager corrects a client\'s phone number on a phone', async () => {
  const page = await logIn(await phone(browser), 'anna.berg');
  await page.locator('ul.caseload > li a:not(.quick)').first().click();
  await page.waitForURL(/\/clients\/\d+$/);
  const client = page.url();
  await page.getByRole('link', { name: 'Ändra personuppgifter' }).click();
  await page.waitForURL(/\/edit$/);
  await fits(page);
  assert.deepEqual(await axeViolations(page), [], 'details form accessibility');
  await page.locator('#f-phone').fill('ring mig');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.locator('#form-errors').waitFor();
  assert.match(await page.locator('#form-errors').innerText(), /Telefon/);
  await page.screenshot({ path: join(artifacts, 'client-edit-phone.png'), fullPage: true });
  await page.locator('#f-phone').fill('070-123 45 67');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.waitForURL(client);
  await page.getByText('070-123 45 67').waitFor();
});

test('a unit head hands over every case of a case manager who leaves, on a phone', async () => {
  const context = await phone(browser);
  const page = await logIn(context, 'birgitta.falk');
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.getByRole('link', { name: 'Personal och ärenden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Personal och ärenden' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'staff page accessibility');
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'staff-phone.png'), fullPage: true });
  // Someone other than anna.berg, whose caseload the other tests use.
  const rows = page.locator('tr', { has: page.getByRole('link', { name: 'Lämna över ärenden' }) });
  const leaving = rows.filter({ hasNotText: 'anna.berg' }).first();
  const name = (await leaving.locator('td').first().textContent()).trim();
  await leaving.getByRole('link', { name: 'Lämna över ärenden' }).click();
  await page.getByRole('heading', { level: 1, name: /Lämna över ärenden/ }).waitFor();
  const cases = await page.locator('table tbody tr').count();
  assert.ok(cases > 0, `${name} has open cases`);
  await page.getByLabel('Ny case manager').selectOption({ label: 'Anna Berg' });
  assert.deepEqual(await axeViolations(page), [], 'handover form accessibility');
  await page.screenshot({ path: join(artifacts, 'handover-phone.png'), fullPage: true });
  await page.getByRole('button', { name: 'Lämna över ärenden' }).click();
  await page.waitForURL(/\/staff$/);
  const row = page.locator('tr', { hasText: name });
  assert.equal((await row.locator('td').nth(3).textContent()).trim(), '0', `${name} has no open cases left`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an administrator opens an account for a new case manager, who logs in; then closes it, on a phone', async () => {
  const context = await phone(browser);
  const page = await logIn(context, 'admin', DEMO_PASSWORD, /\/users$/);
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.getByRole('heading', { level: 1, name: 'Konton' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'accounts page accessibility');
  await page.getByRole('link', { name: '+ Nytt konto' }).click();
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'accounts-phone.png'), fullPage: true });
  await page.locator('#f-username').fill('karin.ny');
  await page.locator('#f-display_name').fill('Karin Ny');
  await page.locator('#f-role').selectOption('case_manager');
  await page.locator('#f-unit_id').selectOption({ index: 1 });
  // A short password is refused beside its field; the rest is kept, the password is not.
  await page.locator('#f-password').fill('kort');
  await page.getByRole('button', { name: 'Skapa kontot' }).click();
  await page.locator('#form-errors').waitFor();
  assert.match(await page.locator('#form-errors').innerText(), /Första lösenord/);
  assert.equal(await page.locator('#f-username').inputValue(), 'karin.ny');
  assert.equal(await page.locator('#f-password').inputValue(), '');
  await page.screenshot({ path: join(artifacts, 'account-error-phone.png'), fullPage: true });
  const password = 'karins första långa lösen';
  await page.locator('#f-password').fill(password);
  await page.getByRole('button', { name: 'Skapa kontot' }).click();
  await page.waitForURL(/\/users\/karin\.ny$/);
  await page.getByRole('heading', { level: 1, name: /Karin Ny/ }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'account page accessibility');
  await fits(page);
  await page.screenshot({ path: join(artifacts, 'account-phone.png'), fullPage: true });

  // Karin logs in on her own phone and must first change the password she was given.
  const karin = await logIn(await phone(browser), 'karin.ny', password, /\/account$/);
  await karin.getByText('Välj ett eget lösenord').waitFor();
  await karin.goto(`${vaka.base}/caseload`);
  await karin.waitForURL(/\/account$/);
  await karin.locator('#f-current_password').fill(password);
  await karin.locator('#f-new_password').fill('bara karin vet detta');
  await karin.locator('#f-new_password_again').fill('bara karin vet detta');
  await karin.getByRole('button', { name: 'Byt lösenord' }).click();
  await karin.waitForURL(/\/account\?saved=1$/);
  await karin.getByText('Lösenordet är bytt.').waitFor();
  assert.deepEqual(await axeViolations(karin), [], 'own account page accessibility');
  await fits(karin);
  await karin.screenshot({ path: join(artifacts, 'own-account-phone.png'), fullPage: true });
  await karin.getByRole('link', { name: '← Startsidan' }).click();
  await karin.waitForURL(/\/caseload$/);
  // Closed: her session ends at once and the page offers to open the account again.
  await page.getByRole('button', { name: 'Stäng av kontot' }).click();
  await page.waitForURL(/\/users\/karin\.ny$/);
  await page.getByRole('button', { name: 'Aktivera kontot' }).waitFor();
  await karin.reload();
  await karin.waitForURL(/\/login$/);
  assert.deepEqual(problems, []);
  await context.close();
});
