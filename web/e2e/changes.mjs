// Drives the dashboard's "what changed" block in headless Chromium
// (playwright-core, the system chromium) and prints one JSON line of what
// it saw. Usage:
//   node changes.mjs URL SHOTDIR [CHROMIUM]
// At 1440×900: the first item of the block, whether it is on the first
// screen, and its drill-down opened with the keyboard; screenshots of the
// first screen and the drill at 1440 and 390 px wide.
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
    out['w' + name] = seen;
    await page.close();
  }
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
