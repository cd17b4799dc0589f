// Drives the dashboard through database failures and an empty range in
// headless Chromium and prints one JSON line of what it saw. Usage:
//   node states.mjs URL [CHROMIUM]
// URL's server switches its ClickHouse proxy with GET /__proxy?mode=up|hang|down.
import { chromium } from 'playwright-core';

const [url, exe = process.env.CHROMIUM || '/usr/bin/chromium'] = process.argv.slice(2);
const out = { page_errors: [] };
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const proxy = async (mode) => {
  const r = await fetch(url + '__proxy?mode=' + mode);
  if (!r.ok) throw new Error('proxy ' + mode + ': ' + r.status);
  await new Promise((res) => setTimeout(res, 1200)); // the server's last check is forgotten
};
const ready = (page) => page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
const errors = (page) => page.evaluate(() => ({
  panels: document.querySelectorAll('.panel-error').length,
  retries: document.querySelectorAll('.panel-error button').length,
  texts: [...new Set([...document.querySelectorAll('.panel-error span')].map((e) => e.textContent))],
  global: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
  kpis: document.querySelectorAll('#kpis .kpi').length,
  busy: document.querySelectorAll('[aria-busy=true]').length,
  timings: window.vocDashboard.timings || [],
  nav: Math.round(performance.getEntriesByType('navigation')[0].responseEnd),
}));
const open = async (path) => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(url + path, { waitUntil: 'load' });
  await ready(page);
  return { page, ms: Date.now() - t0 };
};
try {
  // Stopped: every panel says so in Chinese, with a retry; back up, a
  // retry draws everything.
  await proxy('down');
  let { page, ms } = await open('');
  out.down = { ms, ...(await errors(page)) };
  await page.screenshot({ path: process.env.VOC_SHOT_DIR ? process.env.VOC_SHOT_DIR + '/db-down.png' : '/dev/null' }).catch(() => {});
  await proxy('up');
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.locator('.panel-error button').first().click();
  await ready(page);
  out.retried = await errors(page);
  await page.close();
  // Hung, in English.
  await proxy('hang');
  ({ page, ms } = await open('?lang=en'));
  out.hung = { ms, ...(await errors(page)) };
  await page.close();
  await proxy('up');
  // An empty range says where the data is, and goes there.
  ({ page } = await open('?from=2020-01-01&to=2020-01-15'));
  out.empty = { text: await page.locator('#kpis .empty').textContent() };
  await page.evaluate(() => { document.body.dataset.ready = ''; });
  await page.locator('#show-latest').click();
  await ready(page);
  out.empty.after = await errors(page);
  out.empty.from = await page.locator('#filters [name=from]').inputValue();
  await page.close();
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
