// The Comptabilité screen with the keyboard, in Debian's Chromium against the real API and a real
// encrypted store (`appligarde-cli serve`, demo MMG): cotation of a consultation with its
// explanations, payments refused with French messages then accepted, the closing of a past shift
// whose totals add up, and the CSV export read back as a French spreadsheet reads it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

let demo;
let url;
let browser;

before(async () => {
  demo = await startDemo('appligarde-compta-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '40');
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

/** "1 234,50 €" (any kind of space) -> cents. */
function cents(text) {
  const t = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  return Math.round(Number(t) * 100);
}

/** The CSV as French Excel / LibreOffice read it: BOM, `;`, quotes, decimal comma, CRLF. */
function spreadsheet(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(!text.replace(/\r\n/g, '').includes('\n'), 'CRLF line ends');
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((line) => {
      const fields = [''];
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted && c === '"' && line[i + 1] === '"') {
          fields[fields.length - 1] += '"';
          i++;
        } else if (quoted && c === '"') quoted = false;
        else if (!quoted && c === '"' && fields[fields.length - 1] === '') quoted = true;
        else if (!quoted && c === ';') fields.push('');
        else fields[fields.length - 1] += c;
      }
      return fields;
    });
}

test('cotation, payments, closing and export of a garde, keyboard first', async () => {
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR', acceptDownloads: true });
  await p.goto(url);
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
  await p.locator('input[type=password]').focus();
  await p.keyboard.type('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Connexion' }).waitFor({ state: 'detached' });

  // To Comptabilité from the nav, with the keyboard.
  await p.getByTestId('nav-comptabilite').focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Comptabilité' }).waitFor();

  // The current shift: its consultations are not priced yet. Open the first with Entrée.
  const premiere = p.getByTestId('ligne-compta').first();
  await premiere.waitFor();
  assert.match(await premiere.textContent(), /Non cotée/);
  await premiere.focus();
  await p.keyboard.press('Enter');
  await p.getByTestId('detail-compta').waitFor();
  // Never priced: no "reste 0,00 €" that would read as paid.
  assert.match(await p.getByTestId('non-cotee').textContent(), /Non cotée/);
  assert.equal(await p.getByTestId('reste').count(), 0);

  // Alt+P proposes the cotation, with one French explanation per act.
  await p.keyboard.press('Alt+P');
  await p.getByTestId('explications').waitFor();
  const explications = await p.getByTestId('explications').textContent();
  assert.match(explications, /G .*consultation de médecine générale, tarif en vigueur le/);
  const proposee = cents(await p.getByTestId('total-cotation').textContent());
  assert.ok(proposee >= 3000, `at least G: ${proposee}`);

  // The doctor adds an act with its amount and saves with Ctrl+S.
  await p.getByTestId('ajouter-acte').focus();
  await p.keyboard.press('Enter');
  await p.keyboard.type('DEQP003');
  await p.keyboard.press('Tab');
  await p.keyboard.type('14,52');
  await p.keyboard.press('Control+s');
  await p.getByTestId('message-compta').filter({ hasText: 'Cotation enregistrée' }).waitFor();
  assert.equal(cents(await p.getByTestId('total-cotation').textContent()), proposee + 1452);

  // Payment: Alt+R goes to the amount. A negative amount is refused in French.
  await p.keyboard.press('Alt+R');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'p-montant');
  await p.keyboard.press('Control+a');
  await p.keyboard.type('-10');
  await p.keyboard.press('Enter');
  await p.locator('#erreur-montant').waitFor();
  assert.match(await p.locator('#erreur-montant').textContent(), /ne peut pas être négatif/);

  // A cheque without its number is refused too, next to the number field.
  await p.locator('#p-mode').selectOption('cheque');
  await p.locator('#p-montant').fill(((proposee + 1452) / 100).toFixed(2).replace('.', ','));
  await p.locator('#p-banque').fill('Crédit Mutuel');
  await p.locator('#p-montant').focus();
  await p.keyboard.press('Enter');
  await p.locator('#erreur-cheque_numero').waitFor();
  assert.match(await p.locator('#erreur-cheque_numero').textContent(), /numéro du chèque est obligatoire/);
  await p.locator('#p-numero').focus();
  await p.keyboard.type('1234567');
  await p.keyboard.press('Enter');
  await p.getByTestId('message-compta').filter({ hasText: 'Règlement enregistré' }).waitFor();
  assert.equal(cents(await p.getByTestId('reste').textContent()), 0, 'nothing left to pay');
  await p.screenshot({ path: join(artifacts, 'compta-consultation.png'), fullPage: true });

  // At the desk PC's 1280×800, times and amounts stay on one line each.
  await p.setViewportSize({ width: 1280, height: 800 });
  const coupees = await p.evaluate(() =>
    [...document.querySelectorAll('td.heure, td.montant')]
      .filter((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
      })
      .map((td) => td.textContent),
  );
  assert.ok(await p.locator('td.montant').count() > 3, 'the amounts are marked');
  assert.deepEqual(coupees, [], 'no time or amount wraps at 1280×800');
  const banque = await p.locator('#p-banque').boundingBox();
  assert.ok(banque && banque.width > 100, `the bank field is shown beside the cheque number: ${JSON.stringify(banque)}`);
  await p.screenshot({ path: join(artifacts, 'compta-1280x800.png'), fullPage: true });
  await p.setViewportSize({ width: 1400, height: 1000 });

  // Cancelling a payment asks its reason in the row: an empty one is refused in French, Échap
  // gives up, then a reason cancels it and the whole amount is due again.
  const du = proposee + 1452;
  await p.getByTestId('annuler-paiement').first().click();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'motif-annulation', 'the reason is asked at once');
  await p.keyboard.press('Enter');
  await p.locator('#erreur-motif-annulation').waitFor();
  assert.match(await p.locator('#erreur-motif-annulation').textContent(), /motif de l'annulation/);
  await p.keyboard.press('Escape');
  await p.locator('#motif-annulation').waitFor({ state: 'detached' });
  assert.equal(cents(await p.getByTestId('reste').textContent()), 0, 'Échap cancels nothing');
  await p.getByTestId('annuler-paiement').first().click();
  await p.keyboard.type('Erreur de mode de paiement');
  await p.keyboard.press('Enter');
  await p.getByTestId('message-compta').filter({ hasText: 'Règlement annulé' }).waitFor();
  assert.equal(cents(await p.getByTestId('reste').textContent()), du, 'the whole amount is due again');
  assert.equal(await p.getByTestId('annuler-paiement').count(), 0, 'a cancelled payment cannot be cancelled twice');
  // Paid again, in cash.
  await p.locator('#p-mode').selectOption('especes');
  await p.locator('#p-montant').fill((du / 100).toFixed(2).replace('.', ','));
  await p.locator('#p-montant').focus();
  await p.keyboard.press('Enter');
  await p.getByTestId('message-compta').filter({ hasText: 'Règlement enregistré' }).waitFor();
  assert.equal(cents(await p.getByTestId('reste').textContent()), 0, 'paid again');

  // A past shift (closed, with the demo's payments): close its accounts.
  const options = await p.locator('#compta-garde option').allTextContents();
  const index = options.findIndex((o) => !o.includes('en cours') && !o.includes('clôturés') && !o.includes('— 0 consultation'));
  assert.ok(index >= 0, `a past shift to close: ${options.join(' | ')}`);
  await p.locator('#compta-garde').selectOption({ index });
  await p.getByTestId('cloturer-comptes').waitFor();
  await p.waitForFunction(() => !document.querySelector('[data-testid="cloturer-comptes"]')?.hasAttribute('disabled'));
  await p.getByTestId('cloturer-comptes').focus();
  await p.keyboard.press('Enter');
  await p.getByTestId('comptes-clotures').waitFor();
  // The totals by mode add up to the settled total.
  const parMode = await p.getByTestId('total-mode').evaluateAll((rows) =>
    rows.map((r) => Number(r.querySelector('[data-centimes]')?.getAttribute('data-centimes') ?? 'NaN')),
  );
  const regle = cents(await p.getByTestId('total-regle').textContent());
  assert.equal(parMode.reduce((a, b) => a + b, 0), regle, 'totals by mode = total settled');
  assert.ok(regle > 0, 'the demo shift has payments');
  await p.screenshot({ path: join(artifacts, 'compta-cloture.png'), fullPage: true });

  // The closing report downloads as a PDF.
  const [pdf] = await Promise.all([p.waitForEvent('download'), p.getByTestId('rapport-pdf').click()]);
  assert.match(pdf.suggestedFilename(), /^cloture-garde-\d{4}-\d{2}-\d{2}\.pdf$/);
  const pdfBytes = readFileSync(await pdf.path());
  assert.equal(pdfBytes.subarray(0, 4).toString(), '%PDF');

  // The CSV export over the whole demo year reads back to numbers that add up.
  await p.locator('#export-du').fill('2020-01-01');
  await p.locator('#export-au').fill('2030-12-31');
  const [csv] = await Promise.all([p.waitForEvent('download'), p.getByTestId('exporter-csv').click()]);
  const rows = spreadsheet(readFileSync(await csv.path()));
  const header = rows[0];
  const i = header.indexOf('Montant (€)');
  assert.ok(i >= 0, header.join(';'));
  assert.ok(rows.every((r) => r.length === header.length), 'every line has every column');
  const amounts = rows.slice(1).map((r) => r[i]);
  assert.ok(amounts.every((a) => /^-?\d+,\d{2}$/.test(a)), 'decimal comma, two decimals');
  const total = amounts.reduce((s, a) => s + Math.round(Number(a.replace(',', '.')) * 100), 0);
  assert.ok(total >= regle + proposee + 1452, `the export holds at least this shift and the cheque (${total})`);
  await p.close();
});
