// Drives the dashboard in headless Chromium (playwright-core, the system
// chromium) and prints one JSON line of what it saw. Usage:
//   node dashboard.mjs URL SCREENSHOT [CHROMIUM]
// With VOC_API_TOKEN set, the token is typed when the page asks for it.
import { chromium } from 'playwright-core';

const [url, shot, exe = process.env.CHROMIUM || '/usr/bin/chromium'] = process.argv.slice(2);
const token = process.env.VOC_API_TOKEN || '';
const out = { console_errors: [], page_errors: [], failed_requests: [] };
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  page.on('requestfailed', (r) => out.failed_requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) out.failed_requests.push(r.status() + ' ' + r.url()); });
  page.on('dialog', (d) => { out.prompts = (out.prompts || 0) + 1; d.accept(token); });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30000 });
  // First render as the page measures it: from navigation start (time
  // origin) to the overview and trend drawn; the wall time from goto also holds the
  // browser's own start-up of a fresh page.
  out.first_render_ms = await page.evaluate(() => window.vocDashboard.firstRender);
  out.loaded_ms = await page.evaluate(() => window.vocDashboard.loaded); // every panel drawn
  out.timings = await page.evaluate(() => window.vocDashboard.timings || []);
  out.dom_ms = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));
  // The page with the inlined first screen fully received, the overview
  // drawn, the charting library run.
  out.html_ms = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].responseEnd));
  out.overview_ms = await page.evaluate(() => Math.round(window.vocDashboard.overviewDrawn));
  out.charts_ms = await page.evaluate(() => Math.round(window.vocDashboard.chartsReady));
  out.wall_ms = Date.now() - t0;
  out.charts = await page.evaluate(() => {
    const res = {};
    for (const [id, c] of Object.entries(window.vocDashboard.charts)) {
      const opt = c.getOption();
      res[id] = { series: opt.series.length, points: opt.series.reduce((n, s) => n + (s.data ? s.data.length : 0), 0),
        canvas: !!document.querySelector('#' + id + ' canvas') };
    }
    return res;
  });
  out.range_note = await page.locator('#range-note').textContent();
  // A day of the trend chart opens that day's records: its dates, which
  // the server reads in its zone.
  out.day_drill = await page.evaluate(async () => {
    const d = window.vocDashboard, c = d.charts['trend-chart'];
    const s = c.getOption().series[0], p = s.data[0];
    const before = d.drillLoaded || 0;
    c.trigger('click', { value: p, seriesName: s.name });
    for (let i = 0; i < 300 && (d.drillLoaded || 0) === before; i++) await new Promise((r) => setTimeout(r, 50));
    return { from: d.drill.params.from, to: d.drill.params.to, records: p[1], time: p[2], total: document.getElementById('drill-total').textContent };
  });
  await page.locator('#drill-close').click();
  out.top_rows = await page.locator('#top-table tbody tr[data-pain]').count();
  out.sparklines = await page.locator('#top-table svg.spark').count();
  const first = page.locator('#top-table tbody tr[data-pain]').first();
  out.clicked_pain = await first.getAttribute('data-pain');
  await first.click();
  await page.waitForFunction(() => (window.vocDashboard.drillLoaded || 0) > 0, null, { timeout: 15000 });
  out.drill_title = await page.locator('#drill-title').textContent();
  out.verbatims = await page.locator('#drill-list li.verbatim').count();
  out.pain_marks = await page.locator('#drill-list mark.pain').count();
  out.first_mark = out.pain_marks ? await page.locator('#drill-list mark.pain').first().textContent() : '';
  await page.screenshot({ path: shot, fullPage: true });
  await page.locator('#drill-close').click();
  // Topic volume and emerging aspects: rows, the pain/praise/neutral
  // split, and the drill-down of an emerging aspect and of a topic's pain.
  const drills = () => page.evaluate(() => window.vocDashboard.drillLoaded || 0);
  const drillOf = async (locator) => {
    const before = await drills();
    await locator.click();
    await page.waitForFunction((n) => (window.vocDashboard.drillLoaded || 0) > n, before, { timeout: 15000 });
    const res = { title: await page.locator('#drill-title').textContent(), verbatims: await page.locator('#drill-list li.verbatim').count(),
      total: await page.locator('#drill-total').textContent(),
      marks: await page.locator('#drill-list mark.pain').allTextContents() };
    await page.locator('#drill-close').click();
    return res;
  };
  await page.locator('#topics-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot.replace(/\.png$/, '-topics.png') });
  out.topic_rows = await page.locator('#topics-table tbody tr[data-topic]').count();
  out.topic_segments = await page.locator('#topics-table tbody .seg').count();
  out.topic_volumes = (await page.locator('#topics-table tbody tr[data-topic] td:nth-child(2)').allTextContents()).map(Number);
  out.emerging_rows = await page.locator('#emerging-table tbody tr[data-aspect]').count();
  out.emerging_new = await page.locator('#emerging-table tbody .tag-new').count();
  out.emerging_note = await page.locator('#emerging-note').textContent();
  const em = page.locator('#emerging-table tbody tr[data-aspect]').first();
  out.emerging_clicked = await em.getAttribute('data-aspect');
  out.emerging_drill = await drillOf(em);
  const seg = page.locator('#topics-table tbody tr[data-topic] .seg.neg').first();
  out.topic_clicked = await seg.evaluate((el) => el.closest('tr').dataset.topic);
  out.topic_drill = await drillOf(seg);
  // The panels follow the filters: one product.
  const callsBefore = await page.evaluate(() => (window.vocDashboard.timings || []).length);
  const product = await page.locator('#filters [name=product] option').nth(1).getAttribute('value');
  await page.locator('#filters [name=product]').selectOption(product);
  await page.locator('#filters button[type=submit]').click();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  out.product_topic_volumes = (await page.locator('#topics-table tbody tr[data-topic] td:nth-child(2)').allTextContents()).map(Number);
  out.product_emerging_rows = await page.locator('#emerging-table tbody tr[data-aspect]').count();
  out.product_calls = (await page.evaluate(() => window.vocDashboard.timings || [])).slice(callsBefore).map((x) => x[0]).filter((p) => p === 'topics' || p === 'aspects/unmapped');
  await page.locator('#filters [name=product]').selectOption('');
  await page.locator('#filters button[type=submit]').click();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  // English toggle relabels the UI.
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.documentElement.lang === 'en');
  out.english_title = await page.locator('h1').textContent();
  out.english_topics = await page.locator('#topics-table').evaluate((el) => el.closest('.card').querySelector('h2').textContent);
  // Hourly granularity (for a week at most) asks the trend endpoint.
  const to = await page.locator('#filters [name=to]').inputValue();
  out.hour_disabled = await page.locator('#filters [name=granularity] option[value=hour]').isDisabled();
  await page.locator('#filters [name=from]').fill(new Date(Date.parse(to) - 7 * 864e5).toISOString().slice(0, 10));
  await page.locator('#filters button[type=submit]').click();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  await page.locator('#filters [name=granularity]').selectOption('hour');
  await page.locator('#filters button[type=submit]').click();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  out.hourly = await page.evaluate(() => {
    const s = window.vocDashboard.charts['trend-chart'].getOption().series;
    return { series: s.length, points: s.reduce((n, x) => n + (x.data ? x.data.length : 0), 0) };
  });
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
