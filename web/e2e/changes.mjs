// Drives the dashboard's "what changed" block in headless Chromium
// (playwright-core, the system chromium) and prints one JSON line of what
// it saw. Usage:
//   node changes.mjs URL SHOTDIR [CHROMIUM]
// At 1440×900: the first item of the block, whether it is on the first
// screen, and its drill-down opened with the keyboard; screenshots of the
// first screen, the drill and the report at 1440 and 390 px wide.
import { chromium } from 'playwright-core';

const [url, dir, exe = process.env.CHROMIUM || '/usr/bin/chromium'] = process.argv.slice(2);
const out = { console_errors: [], page_errors: [], failed_requests: [] };
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const watch = (page) => {
  page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  page.on('requestfailed', (r) => out.failed_requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) out.failed_requests.push(r.status() + ' ' + r.url()); });
};
const ready = (page) => page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
const drilled = (page, n) => page.waitForFunction((n) => (window.vocDashboard.drillLoaded || 0) > n, n, { timeout: 15000 });
try {
  for (const [name, viewport] of [['1440', { width: 1440, height: 900 }], ['390', { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport });
    watch(page);
    await page.goto(url, { waitUntil: 'load' });
    await ready(page);
    const first = page.locator('#changes-list li.change').first();
    const seen = {
      items: await page.locator('#changes-list li.change').count(),
      key: await first.getAttribute('data-key'),
      product: await first.getAttribute('data-product'),
      observed: Number(await first.getAttribute('data-observed')),
      text: await first.textContent(),
    };
    const box = await first.boundingBox();
    seen.on_first_screen = !!box && box.y >= 0 && box.y + box.height <= viewport.height;
    await page.screenshot({ path: `${dir}/dashboard-${name}.png` });
    // Keyboard only: Tab to the item, Enter opens its verbatims.
    await page.locator('body').focus();
    let focused = false;
    for (let i = 0; i < 40 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await first.evaluate((el) => el === document.activeElement);
    }
    seen.focused_by_tab = focused;
    const before = await page.evaluate(() => window.vocDashboard.drillLoaded || 0);
    await page.keyboard.press('Enter');
    await drilled(page, before);
    seen.drill_title = await page.locator('#drill-title').textContent();
    seen.drill_total = await page.locator('#drill-total').textContent();
    seen.drill_verbatims = await page.locator('#drill-list li.verbatim').count();
    seen.drill_marks = await page.locator('#drill-list mark.pain').count();
    await page.screenshot({ path: `${dir}/drill-${name}.png` });
    seen.drill_order = await page.locator('#drill-order').inputValue();
    seen.drill_texts = await page.locator('#drill-list li.verbatim > div:first-child').allTextContents();
    if (name === '1440') {
      // The drill's records as CSV.
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#drill-csv').click()]);
      const fs = await import('node:fs');
      seen.csv = fs.readFileSync(await dl.path(), 'utf8');
      // Esc closes the drill and gives the focus back to the item; a
      // table row opens with Enter too.
      await page.keyboard.press('Escape');
      seen.focus_back = await first.evaluate((el) => el === document.activeElement) && !(await page.locator('#drill').isVisible());
      const row = page.locator('#top-table tbody tr[data-pain]').first();
      await row.focus();
      const n = await page.evaluate(() => window.vocDashboard.drillLoaded || 0);
      await page.keyboard.press('Enter');
      await drilled(page, n);
      seen.row_drill = await page.locator('#drill-title').textContent();
      await page.keyboard.press('Escape');
    }
    // The report of the same view (the 周报 link), its first screen.
    const report = new URL(await page.locator('#report-link').getAttribute('href'), page.url()).href;
    const rp = await browser.newPage({ viewport });
    watch(rp);
    await rp.goto(report, { waitUntil: 'load' });
    seen.report_first_point = await rp.locator('ol.points li').first().textContent();
    await rp.screenshot({ path: `${dir}/report-${name}.png` });
    await rp.close();
    out['w' + name] = seen;
    await page.close();
  }
  // State in the URL: a view with a product, hourly granularity, English
  // and a drill-down with a text query opened, copied into a fresh page.
  const view = async (page) => page.evaluate(() => {
    const f = document.getElementById('filters');
    const d = document.getElementById('drill');
    return { from: f.from.value, to: f.to.value, product: f.product.value, granularity: f.granularity.value, lang: document.documentElement.lang,
      drill_open: !d.hidden, drill_title: document.getElementById('drill-title').textContent,
      drill_total: document.getElementById('drill-total').textContent, drill_q: document.querySelector('#drill-search [name=q]').value,
      report_link: document.getElementById('report-link').getAttribute('href'),
      record_open: !document.getElementById('record').hidden };
  });
  {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch(page);
    await page.goto(url, { waitUntil: 'load' });
    await ready(page);
    const product = await page.locator('#filters [name=product] option').nth(1).getAttribute('value');
    await page.locator('#filters [name=product]').selectOption(product);
    // A week (hourly buckets are offered for a week at most).
    const to = await page.locator('#filters [name=to]').inputValue();
    await page.locator('#filters [name=from]').fill(new Date(Date.parse(to) - 7 * 864e5).toISOString().slice(0, 10));
    await page.locator('#filters button[type=submit]').click();
    await ready(page);
    await page.locator('#filters [name=granularity]').selectOption('hour');
    await page.locator('#filters button[type=submit]').click();
    await ready(page);
    await page.locator('#lang').click();
    await page.waitForFunction(() => document.body.dataset.ready === '1' && document.documentElement.lang === 'en');
    let n = await page.evaluate(() => window.vocDashboard.drillLoaded || 0);
    await page.locator('#top-table tbody tr[data-pain]').first().click();
    await drilled(page, n);
    n = await page.evaluate(() => window.vocDashboard.drillLoaded || 0);
    await page.locator('#drill-search [name=q]').fill('漏');
    await page.locator('#drill-search button').click();
    await drilled(page, n);
    await page.locator('#drill-list li.verbatim').first().click();
    await page.waitForFunction(() => !document.getElementById('record').hidden && document.getElementById('record').textContent.length > 0);
    out.copied_url = page.url();
    out.before = await view(page);
    await page.close();
    const copy = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch(copy);
    await copy.goto(out.copied_url, { waitUntil: 'load' });
    await ready(copy);
    await drilled(copy, 0);
    await copy.waitForFunction(() => !document.getElementById('record').hidden && document.getElementById('record').textContent.length > 0);
    out.after = await view(copy);
    // Esc closes the drill and the URL forgets it.
    await copy.keyboard.press('Escape');
    out.after_esc = { drill_open: await copy.locator('#drill').isVisible(), url: copy.url() };
    await copy.close();
  }
  // An alert's link opens its drill-down (cmd alerts: alert, kind,
  // category, subcategory, product, channel, from, to).
  if (process.env.VOC_ALERT_LINK) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch(page);
    await page.goto(url + process.env.VOC_ALERT_LINK, { waitUntil: 'load' });
    await ready(page);
    await drilled(page, 0);
    out.alert = await view(page);
    await page.close();
  }
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
