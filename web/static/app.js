// voc dashboard: overview, trend, rising/falling, drill-down. No build step
// for this file; the charting library (ECharts, only what is used here) is
// bundled into static/vendor/charts.js by make web.
(function () {
  'use strict';

  var I18N = {
    zh: {
      title: 'VOC 客户之声', from: '开始', to: '结束', product: '产品', channel: '渠道', tier: '客户等级', all: '全部',
      granularity: '粒度', day: '天', hour: '小时', week: '周', apply: '查询', report: 'VOC周报', trend: '趋势',
      top: '主要痛点', movers: '上升 / 下降', painPoint: '痛点', records: '条数', change: '环比', sparkline: '走势',
      current: '本期', previous: '上期', significant: '显著', byChannel: '渠道情感', drivers: '关键驱动因素（星级）',
      alerts: '告警', searchText: '全文检索', search: '检索', prev: '上一页', next: '下一页',
      volume: '反馈量', negShare: '负面占比', avgSent: '平均情感', complaints: '投诉', escalations: '升级',
      vsPrev: '较上期', total: '全部反馈', noAlerts: '本期无告警', alertsOff: '未启用告警', hits: '共 {n} 条',
      verbatims: '原声', impact: '评分影响', share: '覆盖率', yes: '是', no: '—', rising: '上升', falling: '下降',
      noData: '无数据', tokenPrompt: '请输入 API 令牌', record: '记录详情', sentiment: '情感', rating: '星级',
      intent: '意图', mentions: '提及', clauses: '分句情感', loadError: '加载失败：', noCharts: '图表库未加载（请运行 make web）',
      topics: '话题热度', topic: '话题', topicVolume: '声量', mix: '构成', pain: '痛点', praise: '好评', neutral: '中性/提及',
      emerging: '未归类的新话题', aspect: '方面', opinions: '常见评价', newTag: '新', unmapped: '未归类', mentionTag: '提及',
      emergingNote: '{n} 条反馈（{s}）含分类体系未收录方面的评价，共 {a} 个方面',
      topicTip: '痛点 {p} · 好评 {q} · 中性 {n}（仅提及 {m}）· {r} 条反馈',
      changes: '发生了什么变化', noChanges: '本期没有显著变化（与此前 28 天相比）', kind_spike: '激增', kind_new_pain_point: '新痛点',
      kind_sentiment_drop: '情感下降', allScope: '全部', sentimentWord: '情感',
      spikeText: '{day}：{n} 条，平常 {u} 条/天', newText: '{day}：{n} 条，此前 28 天没有', dropText: '{day}：平均情感 {m}，平常 {u}（{n} 条反馈）',
      changesNote: '与每天之前 28 天的基线相比（告警同一检验，p < 1e-5），按超出条数排序；点击查看原声',
      loading: '加载中…', retry: '重试', err_unavailable: '数据库（ClickHouse）暂时无法访问，请稍后重试。', err_timeout: '查询超时：请缩小时间范围或增加筛选条件。',
      err_busy: '服务器繁忙，请稍后重试。', err_internal: '查询失败（服务器错误，详见服务日志）。', err_network: '无法连接服务器，请检查网络。',
      err_bad_request: '参数有误：', emptyRange: '{from} 至 {to} 没有反馈。已有数据的日期：{first} 至 {last}。', showLatest: '查看最近 14 天的数据',
      noDataAtAll: '还没有任何反馈数据：请先运行 voc run 导入数据。',
      order: '排序', orderRep: '代表性', orderNew: '最新', csv: '导出 CSV', whyTagged: '标记为打上该标签的原文',
      matrix: '产品 × 痛点', matrixTip: '本期 {n} 条，平常 {u} 条/天', matrixNote: '本期各产品的痛点条数；颜色越深，日均越高于此前 28 天的平常水平',
      rangeNote: '时间范围 {from} 至 {to}（含），按 {zone} 时区的日期统计', weighted: '加权影响（星级分）', hourTooLong: '小时粒度仅用于 7 天以内的范围',
      chartTrend: '趋势图：{n} 个时间点，共 {r} 条反馈，平均负面占比 {s}', chartChannels: '渠道情感图：{list}', chartDrivers: '关键驱动因素图：{list}',
      ch_ecommerce: '电商', ch_app_store: '应用商店', ch_chat: '在线客服', ch_call: '电话', ch_email: '邮件', ch_social: '社交媒体', ch_survey: '问卷',
      tier_normal: '普通', tier_vip: 'VIP', tier_enterprise: '企业'
    },
    en: {
      title: 'VOC Voice of the Customer', from: 'From', to: 'To', product: 'Product', channel: 'Channel', tier: 'Tier', all: 'All',
      granularity: 'Granularity', day: 'Day', hour: 'Hour', week: 'Week', apply: 'Apply', report: 'Weekly report', trend: 'Trend',
      top: 'Top pain points', movers: 'Rising / falling', painPoint: 'Pain point', records: 'Records', change: 'Change', sparkline: 'Trend',
      current: 'Current', previous: 'Previous', significant: 'Significant', byChannel: 'Sentiment by channel', drivers: 'Key drivers (rating)',
      alerts: 'Alerts', searchText: 'Full-text search', search: 'Search', prev: 'Previous', next: 'Next',
      volume: 'Volume', negShare: 'Negative share', avgSent: 'Mean sentiment', complaints: 'Complaints', escalations: 'Escalations',
      vsPrev: 'vs previous', total: 'All feedback', noAlerts: 'No alerts in this period', alertsOff: 'Alerting is not enabled', hits: '{n} records',
      verbatims: 'Verbatims', impact: 'Rating impact', share: 'Share', yes: 'yes', no: '—', rising: 'rising', falling: 'falling',
      noData: 'No data', tokenPrompt: 'API token', record: 'Record', sentiment: 'Sentiment', rating: 'Rating',
      intent: 'Intent', mentions: 'Mentions', clauses: 'Clause sentiment', loadError: 'Failed: ', noCharts: 'Chart library missing (run make web)',
      topics: 'Topic volume', topic: 'Topic', topicVolume: 'Volume', mix: 'Mix', pain: 'Pain', praise: 'Praise', neutral: 'Neutral / mention',
      emerging: 'Emerging aspects (not in the taxonomy)', aspect: 'Aspect', opinions: 'Common opinions', newTag: 'new', unmapped: 'Unmapped', mentionTag: 'mention',
      emergingNote: '{n} records ({s}) hold opinions about aspects outside the taxonomy: {a} aspects',
      topicTip: 'pain {p} · praise {q} · neutral {n} (mentions {m}) · {r} records',
      changes: 'What changed', noChanges: 'No significant change in this period (against the 28 days before each day)', kind_spike: 'surge', kind_new_pain_point: 'new pain point',
      kind_sentiment_drop: 'sentiment drop', allScope: 'all', sentimentWord: 'Sentiment',
      spikeText: '{day}: {n} records, usually {u} a day', newText: '{day}: {n} records, none in the 28 days before', dropText: '{day}: mean sentiment {m}, usually {u} ({n} records)',
      changesNote: 'Each day against the 28 days before it (the alerts\' test, p < 1e-5), by records above normal; click for the verbatims',
      loading: 'loading…', retry: 'Retry', err_unavailable: 'The database (ClickHouse) cannot be reached; retry in a moment.', err_timeout: 'The query took too long: narrow the range or add filters.',
      err_busy: 'The server is busy; retry in a moment.', err_internal: 'The query failed (server error; see the server log).', err_network: 'The server cannot be reached; check the connection.',
      err_bad_request: 'Bad request: ', emptyRange: 'No feedback from {from} to {to}. Data exists from {first} to {last}.', showLatest: 'Show the last 14 days of data',
      noDataAtAll: 'No feedback stored yet: run voc run to load some.',
      order: 'Order', orderRep: 'representative', orderNew: 'newest', csv: 'Export CSV', whyTagged: 'marked: the words it was tagged for',
      matrix: 'Product × pain point', matrixTip: '{n} records, usually {u} a day', matrixNote: 'Pain point records per product in the range; the darker, the further the daily rate is above the 28 days before',
      rangeNote: 'Range {from} to {to} (inclusive), days in {zone}', weighted: 'Weighted impact (rating points)', hourTooLong: 'Hourly view only for ranges up to 7 days',
      chartTrend: 'Trend chart: {n} points, {r} records, mean negative share {s}', chartChannels: 'Sentiment by channel: {list}', chartDrivers: 'Key drivers: {list}',
      ch_ecommerce: 'e-commerce', ch_app_store: 'app store', ch_chat: 'chat', ch_call: 'call', ch_email: 'email', ch_social: 'social', ch_survey: 'survey',
      tier_normal: 'normal', tier_vip: 'VIP', tier_enterprise: 'enterprise'
    }
  };
  // The view lives in the URL (see writeURL); the language also in
  // localStorage, for the next visit without one.
  var urlParams = new URLSearchParams(location.search);
  var lang = urlParams.get('lang') || localStorage.getItem('voc-lang') || 'zh';
  if (!I18N[lang]) lang = 'zh';
  function t(k, vars) {
    var s = (I18N[lang] && I18N[lang][k]) || I18N.zh[k] || k;
    for (var v in vars || {}) s = s.replace('{' + v + '}', vars[v]);
    return s;
  }
  // chanName and tierName translate the stored codes (the filters keep
  // the codes as values).
  function chanName(k) { return I18N.zh['ch_' + k] ? t('ch_' + k) : k; }
  function tierName(k) { return I18N.zh['tier_' + k] ? t('tier_' + k) : k; }
  function pctv(v) { return v == null ? '' : v + '%'; }
  // describe gives a chart a text alternative.
  function describe(id, text) { var el = $(id); el.setAttribute('role', 'img'); el.setAttribute('aria-label', text); }

  function applyI18n() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('title');
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
    document.querySelectorAll('#filters [name=channel] option, #filters [name=customer_tier] option').forEach(function (o) {
      if (o.value) o.textContent = o.parentNode.name === 'channel' ? chanName(o.value) : tierName(o.value);
    });
  }

  var $ = function (id) { return document.getElementById(id); };
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function showError(msg) { var e = $('error'); e.textContent = msg; e.hidden = false; }

  // errorText says what went wrong in the UI's language: the server's
  // error codes have their own text; a bad request adds the server's
  // message (which names the parameter).
  function errorText(e) {
    var k = 'err_' + e.code;
    if (!I18N.zh[k]) return t('loadError') + e.message;
    return t(k) + (e.code === 'bad_request' ? e.message : '');
  }

  // A panel is a card (or the KPI row); its error replaces its content's
  // notice until the next load.
  function cardOf(el) { return el.closest('.card') || el; }
  function panelError(el, e) {
    var card = cardOf(el);
    card.classList.remove('loading');
    card.removeAttribute('aria-busy');
    var box = card.querySelector('.panel-error');
    if (!box) {
      box = document.createElement('div');
      box.className = 'panel-error';
      box.setAttribute('role', 'alert');
      var h = card.querySelector('h2');
      if (h) h.insertAdjacentElement('afterend', box); else card.prepend(box);
    }
    box.innerHTML = '<span>' + esc(errorText(e)) + '</span> <button type="button">' + esc(t('retry')) + '</button>';
    box.querySelector('button').addEventListener('click', retry);
    state.errors = (state.errors || 0) + 1;
  }
  function panelLoading(el) {
    var card = cardOf(el);
    var box = card.querySelector('.panel-error');
    if (box) box.remove();
    var h = card.querySelector('h2');
    if (h) h.dataset.loading = t('loading');
    card.classList.add('loading');
    card.setAttribute('aria-busy', 'true');
  }
  function panelDone(el) {
    var card = cardOf(el);
    card.classList.remove('loading');
    card.removeAttribute('aria-busy');
  }
  // panel settles p for the panels els: drawn, or an error with a retry.
  function panel(p, els) {
    els.forEach(panelLoading);
    return p.then(function () { els.forEach(panelDone); }, function (e) { els.forEach(function (el) { panelError(el, e); }); });
  }

  // retry loads again: the first screen when it never came, else the
  // panels.
  function retry() {
    if (!state.facets) boot(); else load();
  }

  // API access with an optional bearer token kept for the session.
  function api(path, params) {
    var qs = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) { if (params[k] !== '' && params[k] != null) qs.set(k, params[k]); });
    var headers = {};
    var tok = sessionStorage.getItem('voc-token');
    if (tok) headers.Authorization = 'Bearer ' + tok;
    var url = 'api/v1/' + path + (qs.toString() ? '?' + qs : '');
    var t0 = performance.now();
    return fetch(url, { headers: headers }).catch(function () {
      var e = new Error('network'); e.code = 'network'; throw e;
    }).then(function (r) {
      // Start and end of each call since navigation, for the benchmark.
      (state.timings = state.timings || []).push([path + (params && (params.sort || params.series) ? '*' : ''), Math.round(t0), Math.round(performance.now())]);
      if (r.status === 401) {
        var v = window.prompt(t('tokenPrompt'));
        if (v) { sessionStorage.setItem('voc-token', v); return api(path, params); }
      }
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var err = body.error || {};
          var e = new Error(err.message || r.statusText);
          e.code = err.code || 'internal';
          e.field = err.field;
          throw e;
        }
        return body;
      });
    });
  }

  var state = { filters: {}, charts: {}, drill: null, ready: false };
  window.vocDashboard = state; // read by the browser test

  function filters() {
    var f = new FormData($('filters'));
    var out = {};
    f.forEach(function (v, k) { out[k] = v; });
    return out;
  }
  function base(f) {
    return { from: f.from, to: f.to, product: f.product, channel: f.channel, customer_tier: f.customer_tier };
  }
  // Days are the server's: its answers give times in the dashboard's zone
  // (RFC 3339 with that zone's offset, overview.zone names it). wallMs
  // reads such a time's wall clock as if it were UTC, so that the dates
  // below and the charts (useUTC) show it as it is, whatever the
  // browser's own zone.
  function wallMs(s) {
    s = String(s);
    return Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s.slice(0, 19) + 'Z');
  }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  // dayAdd is the date n days after the date (2006-01-02) day.
  function dayAdd(day, n) { return isoDay(new Date(wallMs(day.slice(0, 10)) + n * 864e5)); }
  // lastDay is the date holding the last instant before the time end.
  function lastDay(end) { return isoDay(new Date(wallMs(end) - 1)); }
  // zoneLabel names the zone of the days: Asia/Shanghai (UTC+08:00).
  function zoneLabel() {
    if (!state.zone) return '…';
    var m = /([+-]\d\d:\d\d)$/.exec(state.zoneTime || '');
    return state.zone + (m ? ' (UTC' + m[1] + ')' : '');
  }
  function rangeNote(from, to) {
    if (from && to) $('range-note').textContent = t('rangeNote', { from: from, to: dayAdd(to, -1), zone: zoneLabel() });
  }

  // chartsReady resolves once the charting library has loaded (or failed
  // to: the panels then show their tables and a notice).
  var chartsReady = new Promise(function (resolve) {
    var el = document.getElementById('echarts-js');
    if (window.echarts || !el) { resolve(); return; }
    el.addEventListener('load', resolve);
    el.addEventListener('error', resolve);
  }).then(function () { state.chartsReady = performance.now(); });

  function chart(id) {
    if (!window.echarts) return null;
    if (!state.charts[id]) state.charts[id] = echarts.init($(id));
    return state.charts[id];
  }

  function fillSelect(name, values) {
    var sel = document.querySelector('#filters [name=' + name + ']');
    values.forEach(function (v) {
      var o = document.createElement('option');
      o.value = v;
      o.textContent = name === 'channel' ? chanName(v) : name === 'customer_tier' ? tierName(v) : v;
      sel.appendChild(o);
    });
  }

  // keyable makes a clickable row reachable with Tab and opened with
  // Enter or Space, announced as a button.
  function keyable(el) {
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.addEventListener('keydown', function (e) {
      if (e.target === el && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); el.click(); }
    });
  }

  function sparkline(values) {
    var w = 90, h = 22, max = Math.max.apply(null, values.concat([1]));
    var pts = values.map(function (v, i) {
      return (i * w / Math.max(values.length - 1, 1)).toFixed(1) + ',' + (h - 2 - (h - 4) * v / max).toFixed(1);
    }).join(' ');
    return '<svg class="spark" width="' + w + '" height="' + h + '"><polyline fill="none" stroke="#5470c6" stroke-width="1.5" points="' + pts + '"/></svg>';
  }

  function changeText(c) {
    if (c.change >= 1e8) return '<span class="up">' + t('newTag') + '</span>';
    var s = (c.change >= 0 ? '+' : '') + (100 * c.change).toFixed(0) + '%';
    return '<span class="' + (c.change > 0 ? 'up' : 'down') + '">' + s + '</span>';
  }

  // changeTitle names what changed: the pain point (or sentiment) and
  // the product and channel it changed in.
  function changeTitle(c) {
    return [c.category ? c.category + '/' + c.subcategory : t('sentimentWord'), c.product, c.channel].filter(Boolean).join(' · ');
  }

  // changeText says a change's numbers in plain words.
  function changeWords(c) {
    var day = c.from.slice(5, 10);
    if (c.kind === 'sentiment_drop') return t('dropText', { day: day, m: c.observed.toFixed(2), u: c.usual.toFixed(2), n: c.records });
    if (c.kind === 'new_pain_point') return t('newText', { day: day, n: c.observed });
    return t('spikeText', { day: day, n: c.observed, u: c.usual.toFixed(1) });
  }

  // renderChanges lists what changed, most excess records first; an item
  // opens the drill-down of exactly its records.
  function renderChanges(res) {
    var ol = $('changes-list');
    ol.innerHTML = '';
    (res.items || []).forEach(function (c, i) {
      var li = document.createElement('li');
      li.className = 'change ' + c.kind;
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      li.dataset.key = c.category ? c.category + '/' + c.subcategory : '';
      li.dataset.product = c.product || '';
      li.dataset.observed = c.kind === 'sentiment_drop' ? c.records : c.observed;
      li.innerHTML = '<span class="kind">' + esc(t('kind_' + c.kind)) + '</span><span class="what">' + esc(changeTitle(c)) +
        '</span><span class="words">' + esc(changeWords(c)) + '</span>' + sparkline(c.days);
      var open = function () { openDrill(c.drill, changeTitle(c) + ' · ' + c.from.slice(0, 10), true); };
      li.addEventListener('click', open);
      li.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
      ol.appendChild(li);
    });
    if (!ol.children.length) ol.innerHTML = '<li class="muted">' + esc(t('noChanges')) + '</li>';
    renderMatrix(res.matrix);
  }

  // renderMatrix draws pain points by product: records in the range, the
  // cell darker the further its daily rate is above its usual one; a cell
  // opens those records.
  function renderMatrix(m) {
    var tb = $('matrix');
    if (!m || !m.products || !m.products.length) { tb.innerHTML = '<tr><td>' + esc(t('noData')) + '</td></tr>'; return; }
    var html = '<thead><tr><th>' + esc(t('product')) + '</th>' + m.pain_points.map(function (p) { return '<th scope="col">' + esc(p) + '</th>'; }).join('') + '</tr></thead><tbody>';
    m.products.forEach(function (prod, i) {
      html += '<tr><th scope="row">' + esc(prod) + '</th>';
      m.pain_points.forEach(function (pain, j) {
        var n = m.cells[i][j], u = m.usual[i][j], rate = n / Math.max(m.days, 1);
        var ratio = u > 0 ? rate / u : (n ? 3 : 0);
        var heat = Math.min(Math.max(ratio - 1, 0) / 3, 1);
        var tip = prod + ' · ' + pain + ': ' + t('matrixTip', { n: n, u: u.toFixed(1) });
        html += '<td class="n cell" tabindex="0" role="button" data-i="' + i + '" data-j="' + j + '" title="' + esc(tip) + '" aria-label="' + esc(tip) + '"' +
          (heat > 0 ? ' style="background:rgba(192,57,43,' + (0.12 + 0.6 * heat).toFixed(2) + ')' + (heat > 0.6 ? ';color:#fff' : '') + '"' : '') + '>' + n + '</td>';
      });
      html += '</tr>';
    });
    tb.innerHTML = html + '</tbody>';
    tb.querySelectorAll('td.cell').forEach(function (td) {
      var open = function () {
        var prod = m.products[+td.dataset.i], pain = m.pain_points[+td.dataset.j];
        openDrill({ category: pain, product: prod }, pain + ' · ' + prod);
      };
      td.addEventListener('click', open);
      td.addEventListener('keydown', function (e) { if (e.key === 'Enter') open(); });
    });
  }

  function renderOverview(ov) {
    var c = ov.current, p = ov.previous;
    // The zone the server cut the days in, and the range it answered.
    state.zone = ov.zone;
    state.zoneTime = ov.from;
    rangeNote(ov.from.slice(0, 10), dayAdd(lastDay(ov.to), 1));
    if (!c.records) {
      renderEmpty(ov);
    } else {
    function kpi(label, v, d) { return '<div class="kpi">' + esc(label) + '<span class="v">' + v + '</span><span class="d">' + d + '</span></div>'; }
    function rel(a, b) { return b ? t('vsPrev') + ' ' + ((a / b - 1) * 100).toFixed(1) + '%' : ''; }
    $('kpis').innerHTML =
      kpi(t('volume'), c.records, rel(c.records, p.records)) +
      kpi(t('negShare'), pct(c.negative_share), t('vsPrev') + ' ' + (100 * (c.negative_share - p.negative_share)).toFixed(1) + ' pp') +
      kpi(t('avgSent'), c.avg_sentiment.toFixed(2), t('vsPrev') + ' ' + (c.avg_sentiment - p.avg_sentiment).toFixed(2)) +
      kpi(t('complaints'), c.complaints, rel(c.complaints, p.complaints)) +
      kpi(t('escalations'), c.escalations, rel(c.escalations, p.escalations));
    }
    var tb = $('top-table').querySelector('tbody');
    tb.innerHTML = '';
    ov.top.forEach(function (it) {
      var tr = document.createElement('tr');
      tr.dataset.pain = it.key;
      tr.innerHTML = '<td>' + esc(it.key) + '</td><td class="n">' + it.current + '</td><td class="n">' + changeText(it) + '</td><td>' + sparkline(it.sparkline) + '</td>';
      tr.addEventListener('click', function () { openDrill({ category: it.key }, it.key); });
      keyable(tr);
      tb.appendChild(tr);
    });
    if (!ov.top.length) tb.innerHTML = '<tr><td colspan="4">' + t('noData') + '</td></tr>';
    return ov.top.slice(0, 5).map(function (x) { return x.key; });
  }

  // renderEmpty says that the range holds no feedback and which dates do,
  // with a button to the last days of data.
  function renderEmpty(ov) {
    var fc = state.facets || {};
    var first = fc.first && !/^0001/.test(fc.first) ? fc.first.slice(0, 10) : '';
    var last = fc.last && !/^0001/.test(fc.last) ? lastDay(fc.last) : '';
    var el = $('kpis');
    if (!first) { el.innerHTML = '<p class="empty" role="status">' + esc(t('noDataAtAll')) + '</p>'; return; }
    el.innerHTML = '<p class="empty" role="status">' + esc(t('emptyRange', { from: ov.from.slice(0, 10), to: lastDay(ov.to), first: first, last: last })) +
      ' <button type="button" id="show-latest">' + esc(t('showLatest')) + '</button></p>';
    $('show-latest').addEventListener('click', function () {
      var end = dayAdd(last, 1);
      var form = $('filters');
      form.from.value = dayAdd(end, -14);
      form.to.value = end;
      load();
    });
  }

  function renderTrend(total, pains, gran) {
    var ch = chart('trend-chart');
    if (!ch) return;
    // x: the wall clock of the zone's time (the chart shows it in UTC),
    // with the time itself for the drill-down of an hour.
    var series = [{ name: t('total'), type: 'line', smooth: true, yAxisIndex: 0, data: total.points.map(function (p) { return [wallMs(p.time), p.records, p.time]; }) },
      { name: t('negShare'), type: 'line', smooth: true, yAxisIndex: 1, lineStyle: { type: 'dashed' }, tooltip: { valueFormatter: pctv },
        data: total.points.map(function (p) { return [wallMs(p.time), +(100 * p.negative_share).toFixed(1), p.time]; }) }];
    var recs = total.points.reduce(function (n, p) { return n + p.records; }, 0);
    var negs = total.points.reduce(function (n, p) { return n + p.negative; }, 0);
    describe('trend-chart', t('chartTrend', { n: total.points.length, r: recs, s: pct(recs ? negs / recs : 0) }));
    pains.forEach(function (s) {
      series.push({ name: s.key, type: 'bar', stack: 'pain', yAxisIndex: 0, data: s.points.map(function (p) { return [wallMs(p.time), p.records, p.time]; }) });
    });
    ch.setOption({
      useUTC: true,
      tooltip: { trigger: 'axis' }, legend: { type: 'scroll', top: 0 }, grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: 'time' }, yAxis: [{ type: 'value', name: t('records') }, { type: 'value', name: t('negShare') + ' %', max: 100 }],
      series: series
    }, true);
    ch.off('click');
    ch.on('click', function (e) {
      // A day or week: its dates, which the server reads in its zone; an
      // hour: its time.
      var wall = new Date(e.value[0]), day = isoDay(wall), range;
      if (gran === 'hour') range = { from: e.value[2], to: new Date(Date.parse(e.value[2]) + 3600e3).toISOString() };
      else range = { from: day, to: dayAdd(day, gran === 'week' ? 7 : 1) };
      var key = e.seriesName === t('total') || e.seriesName === t('negShare') ? '' : e.seriesName;
      openDrill(Object.assign({ category: key }, range), (key || t('total')) + ' · ' + wall.toISOString().slice(0, gran === 'hour' ? 13 : 10).replace('T', ' '));
    });
  }

  function renderMovers(rising, falling) {
    var tb = $('movers-table').querySelector('tbody');
    tb.innerHTML = '';
    rising.items.slice(0, 6).concat(falling.items.slice(0, 6)).forEach(function (c) {
      var key = c.category + '/' + c.subcategory;
      var tr = document.createElement('tr');
      tr.dataset.pain = key;
      tr.innerHTML = '<td>' + esc(key) + '</td><td class="n">' + c.current + '</td><td class="n">' + c.previous + '</td><td class="n">' + changeText(c) +
        '</td><td class="n">' + c.z.toFixed(2) + '</td><td>' + (c.significant ? '<span class="sig">' + t('yes') + '</span>' : t('no')) + '</td>';
      tr.addEventListener('click', function () { openDrill({ category: key }, key); });
      keyable(tr);
      tb.appendChild(tr);
    });
    if (!tb.children.length) tb.innerHTML = '<tr><td colspan="6">' + t('noData') + '</td></tr>';
  }

  var polarityKey = { negative: 'pain', positive: 'praise', neutral: 'neutral' };

  // renderTopics draws the topic volume: categories by volume, each with a
  // bar of its pain, praise and neutral rows (scaled to the largest
  // volume). A row opens the records talking about the topic, a segment
  // those of one polarity.
  function renderTopics(res) {
    var tb = $('topics-table').querySelector('tbody');
    tb.innerHTML = '';
    var max = Math.max.apply(null, res.items.map(function (x) { return x.volume; }).concat([1]));
    res.items.forEach(function (it) {
      function seg(cls, pol, n) {
        return n ? '<span class="seg ' + cls + '" data-polarity="' + pol + '" style="width:' + (100 * n / max).toFixed(2) + '%" title="' +
          esc(t(polarityKey[pol]) + ' ' + n) + '"></span>' : '';
      }
      var tr = document.createElement('tr');
      tr.dataset.topic = it.category;
      tr.title = t('topicTip', { p: it.pain, q: it.praise, n: it.neutral, m: it.topic_mentions, r: it.records });
      tr.innerHTML = '<td>' + esc(it.category) + '</td><td class="n">' + it.volume + '</td><td><div class="mix">' +
        seg('neg', 'negative', it.pain) + seg('pos', 'positive', it.praise) + seg('neu', 'neutral', it.neutral) +
        '</div></td><td class="n">' + pct(it.share) + '</td><td class="n">' + changeText(it) + '</td>';
      tr.addEventListener('click', function (e) {
        var pol = e.target.dataset ? e.target.dataset.polarity : '';
        var extra = { topic: it.category };
        if (pol) extra.polarity = pol;
        openDrill(extra, t('topic') + ' · ' + it.category + (pol ? ' · ' + t(polarityKey[pol]) : ''));
      });
      keyable(tr);
      tb.appendChild(tr);
    });
    if (!res.items.length) tb.innerHTML = '<tr><td colspan="5">' + t('noData') + '</td></tr>';
  }

  // renderEmerging lists the aspects outside the taxonomy that customers
  // gave opinions about; a row opens those records.
  function renderEmerging(res) {
    var tb = $('emerging-table').querySelector('tbody');
    tb.innerHTML = '';
    res.items.forEach(function (it) {
      var tr = document.createElement('tr');
      tr.dataset.aspect = it.aspect;
      tr.innerHTML = '<td>' + esc(it.aspect) + (it.new ? '<span class="tag-new">' + t('newTag') + '</span>' : '') + '</td><td class="n">' + it.records +
        '</td><td class="n">' + pct(it.negative_share) + '</td><td>' +
        esc(it.opinions.map(function (o) { return o.opinion + ' ×' + o.mentions; }).join('，')) +
        '</td><td class="n">' + (it.new ? '—' : changeText(it)) + '</td>';
      tr.addEventListener('click', function () { openDrill({ aspect: it.aspect, unmapped: 'true' }, t('unmapped') + ' · ' + it.aspect); });
      keyable(tr);
      tb.appendChild(tr);
    });
    if (!res.items.length) tb.innerHTML = '<tr><td colspan="5">' + t('noData') + '</td></tr>';
    $('emerging-note').textContent = res.unmapped_records ?
      t('emergingNote', { n: res.unmapped_records, s: pct(res.records ? res.unmapped_records / res.records : 0), a: res.aspects }) : '';
  }

  function renderChannels(res) {
    var ch = chart('channel-chart');
    if (!ch) return;
    ch.setOption({
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 50, top: 40, bottom: 50 },
      xAxis: { type: 'category', data: res.groups.map(function (g) { return g.key; }),
        axisLabel: { interval: 0, rotate: res.groups.length > 4 ? 30 : 0, formatter: chanName } },
      yAxis: [{ type: 'value', name: t('records') }, { type: 'value', name: t('negShare') + ' %', max: 100 }],
      series: [{ name: t('volume'), type: 'bar', data: res.groups.map(function (g) { return g.records; }) },
        { name: t('negShare'), type: 'line', yAxisIndex: 1, tooltip: { valueFormatter: pctv },
          data: res.groups.map(function (g) { return +(100 * g.negative_share).toFixed(1); }) }]
    }, true);
    describe('channel-chart', t('chartChannels', { list: res.groups.map(function (g) {
      return chanName(g.key) + ' ' + g.records + ' · ' + pct(g.negative_share);
    }).join('；') }));
    ch.off('click');
    ch.on('click', function (e) { openDrill({ channel: e.name, sentiment: 'negative' }, e.name); });
  }

  function renderDrivers(d) {
    var ch = chart('drivers-chart');
    if (!ch) return;
    var ds = d.drivers.slice(0, 8).reverse();
    ch.setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, grid: { left: 120, right: 30, top: 20, bottom: 30 },
      xAxis: { type: 'value', name: t('weighted'), nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'category', data: ds.map(function (x) { return x.category + '/' + x.subcategory; }) },
      // Drawn by the value they are ranked by: impact × share, the rating
      // points of the overall mean the pain point costs.
      series: [{ name: t('weighted'), type: 'bar', data: ds.map(function (x) { return +x.weighted.toFixed(3); }) }]
    }, true);
    describe('drivers-chart', t('chartDrivers', { list: d.drivers.slice(0, 8).map(function (x) {
      return x.category + '/' + x.subcategory + ' ' + x.weighted.toFixed(3);
    }).join('；') }));
    ch.off('click');
    ch.on('click', function (e) { openDrill({ category: e.name }, e.name); });
  }

  function renderAlerts(res) {
    var el = $('alerts');
    if (!res.available) { el.innerHTML = '<p class="muted">' + t('alertsOff') + '</p>'; return; }
    if (!res.alerts.length) { el.innerHTML = '<p class="muted">' + t('noAlerts') + '</p>'; return; }
    el.innerHTML = res.alerts.map(function (a) {
      return '<div class="alert"><b>' + esc(a.status) + '</b> ' + esc(a.opened_at.slice(0, 16).replace('T', ' ')) + ' · ' + esc(a.kind) + ' · ' + esc(a.title) + '</div>';
    }).join('');
  }

  // highlight wraps rune spans of text: matches in <mark>, pain mentions in <mark class="pain">.
  function highlight(text, matches, mentions) {
    var chars = Array.from(text || '');
    var cls = new Array(chars.length).fill('');
    (mentions || []).forEach(function (m) { if (m.start >= 0) for (var i = m.start; i < m.end && i < chars.length; i++) cls[i] = 'pain'; });
    (matches || []).forEach(function (m) { for (var i = m.start; i < m.end && i < chars.length; i++) cls[i] = 'hit'; });
    var out = '', cur = '';
    chars.forEach(function (c, i) {
      if (cls[i] !== cur) {
        if (cur) out += '</mark>';
        if (cls[i]) out += cls[i] === 'pain' ? '<mark class="pain">' : '<mark>';
        cur = cls[i];
      }
      out += c === '\n' ? '<br>' : esc(c);
    });
    if (cur) out += '</mark>';
    return out;
  }

  // openDrill opens the verbatims of the filters narrowed by extra, or,
  // with exact, of extra alone (a change's own selection).
  // opts restores a drill from the URL: its text query q and offset.
  function openDrill(extra, title, exact, opts) {
    var f = filters();
    var params = exact ? Object.assign({}, extra) : Object.assign(base(f), extra);
    Object.keys(params).forEach(function (k) { if (params[k] === '' || params[k] == null) delete params[k]; });
    opts = opts || {};
    state.drill = { params: params, offset: opts.offset || 0, title: title, opener: document.activeElement };
    $('drill-order').value = opts.order === 'newest' ? 'newest' : 'representative';
    state.record = null;
    $('drill-title').textContent = t('verbatims') + ' · ' + title;
    $('drill-search').q.value = opts.q || '';
    $('drill').hidden = false;
    $('drill-title').focus();
    return loadDrill();
  }

  // exportDrill downloads the drill-down's records as CSV (with the token,
  // which a plain link could not send).
  function exportDrill() {
    var d = state.drill;
    var qs = new URLSearchParams(Object.assign({}, d.params, d.q ? { q: d.q } : {}));
    var headers = {};
    var tok = sessionStorage.getItem('voc-token');
    if (tok) headers.Authorization = 'Bearer ' + tok;
    return fetch('api/v1/export?' + qs, { headers: headers }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { var e = new Error((b.error || {}).message || r.statusText); e.code = (b.error || {}).code || 'internal'; throw e; });
      return r.blob();
    }).then(function (blob) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'voc-' + (d.params.from || '').slice(0, 10) + '.csv';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      state.exported = (state.exported || 0) + 1;
    }).catch(function (e) { showError(errorText(e)); });
  }

  // closeDrill hides the drill-down and gives the focus back to what
  // opened it.
  function closeDrill() {
    if ($('drill').hidden) return;
    $('drill').hidden = true;
    state.record = null;
    var o = state.drill && state.drill.opener;
    if (o && document.body.contains(o)) o.focus();
    writeURL();
  }

  // writeURL puts the view in the address bar, so that a copied URL opens
  // the same view: filters, range, granularity, language, the open drill
  // (its search parameters, title, text query, offset) and record.
  function writeURL() {
    var f = filters(), q = new URLSearchParams();
    ['from', 'to', 'product', 'channel', 'customer_tier', 'granularity'].forEach(function (k) {
      if (f[k] && !(k === 'granularity' && f[k] === 'day')) q.set(k, f[k]);
    });
    if (lang !== 'zh') q.set('lang', lang);
    var d = state.drill;
    if (d && !$('drill').hidden) {
      q.set('drill', new URLSearchParams(d.params).toString());
      q.set('dt', d.title);
      if (d.q) q.set('dq', d.q);
      if (d.offset) q.set('doff', d.offset);
      if ($('drill-order').value === 'newest') q.set('dord', 'newest');
      if (state.record) q.set('record', state.record);
    }
    var s = q.toString();
    history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
  }

  function loadDrill() {
    var d = state.drill;
    var q = d.q = $('drill-search').q.value.trim();
    var params = Object.assign({}, d.params, { q: q, size: 10, offset: d.offset, order: $('drill-order').value });
    $('record').hidden = true;
    return api('search', params).then(function (res) {
      $('drill-total').textContent = t('hits', { n: res.total });
      var list = $('drill-list');
      list.start = d.offset + 1;
      list.innerHTML = '';
      res.items.forEach(function (it) {
        var li = document.createElement('li');
        li.className = 'verbatim';
        li.innerHTML = '<div>' + highlight(it.text, it.matches, it.mentions) + '</div><div class="meta">' +
          esc(it.created_at.slice(0, 16).replace('T', ' ')) + ' · ' + esc(it.channel) + ' · ' + esc(it.product) +
          (it.rating ? ' · ' + it.rating + '★' : '') + ' · ' + esc(it.sentiment_label) + '</div>';
        li.tabIndex = 0;
        li.addEventListener('click', function () { showRecord(it.id); });
        li.addEventListener('keydown', function (e) { if (e.key === 'Enter') showRecord(it.id); });
        list.appendChild(li);
      });
      $('drill-prev').disabled = d.offset === 0;
      $('drill-next').disabled = d.offset + res.items.length >= (res.ranked || res.total);
      state.drillLoaded = (state.drillLoaded || 0) + 1;
      writeURL();
    }).catch(function (e) { showError(errorText(e)); });
  }

  // mentionLabel names an aspect row: an opinion about a pain or praise
  // point, a topic mention (no opinion), or an opinion about an aspect
  // outside the taxonomy (no category).
  function mentionLabel(m) {
    if (!m.category) return t('unmapped') + ' · ' + m.aspect + ' ' + m.opinion;
    if (!m.opinion) return m.category + ' · ' + t('mentionTag') + ' · ' + m.aspect;
    return m.category + '/' + m.subcategory + ' · ' + m.aspect + ' ' + m.opinion;
  }

  function showRecord(id) {
    state.record = id;
    writeURL();
    return api('records/' + encodeURIComponent(id)).then(function (r) {
      var el = $('record');
      var rows = [[t('sentiment'), r.sentiment_label + ' (' + r.sentiment.toFixed(2) + ')'], [t('rating'), r.rating || '—'], [t('intent'), r.intent || '—'],
        [t('channel'), r.channel], [t('product'), r.product], ['ID', r.id]];
      var html = '<h3>' + t('record') + '</h3><p>' + highlight(r.text, [], r.mentions) + '</p><table>' +
        rows.map(function (x) { return '<tr><th>' + esc(x[0]) + '</th><td>' + esc(x[1]) + '</td></tr>'; }).join('') + '</table>';
      html += '<h4>' + t('mentions') + '</h4><ul>' + r.mentions.map(function (m) {
        return '<li>' + esc(mentionLabel(m)) + ' · ' + esc(m.polarity) + (m.role !== 'customer' ? ' · ' + esc(m.role) : '') + '</li>';
      }).join('') + '</ul>';
      if (r.clauses && r.clauses.length) {
        var chars = Array.from(r.text);
        html += '<h4>' + t('clauses') + '</h4><ul>' + r.clauses.map(function (c) {
          return '<li>' + esc(chars.slice(c.span[0], c.span[1]).join('')) + ' · ' + esc(c.sentiment.label) + ' (' + c.sentiment.score.toFixed(2) + ')</li>';
        }).join('') + '</ul>';
      }
      el.innerHTML = html;
      el.hidden = false;
    }).catch(function (e) { showError(errorText(e)); });
  }

  // trendFromOverview is the daily trend (the total and the top five pain
  // points) that an overview already holds: its daily series and the
  // pain points' sparklines (records per day of the range).
  function trendFromOverview(ov) {
    var day0 = ov.from.slice(0, 10);
    var pains = ov.top.slice(0, 5).map(function (it) {
      return { key: it.key, points: it.sparkline.map(function (n, i) { return { time: dayAdd(day0, i), records: n }; }) };
    });
    return [{ key: 'total', points: ov.daily || [] }, pains];
  }

  // load draws every panel for the filters. first, when given, is the
  // first screen for them (inlined in the page or from api/v1/dashboard):
  // the overview, rising and falling pain points, and topics and emerging
  // aspects when it has them, need no further call.
  function load(first) {
    var f = filters();
    var b = base(f);
    // Hourly buckets over more than a week are noise: days instead.
    var days = (Date.parse(f.to) - Date.parse(f.from)) / 864e5;
    var hourOpt = $('filters').granularity.querySelector('option[value=hour]');
    hourOpt.disabled = days > 7;
    hourOpt.title = days > 7 ? t('hourTooLong') : '';
    if (f.granularity === 'hour' && days > 7) { $('filters').granularity.value = 'day'; f = filters(); b = base(f); }
    rangeNote(f.from, f.to);
    // The report of the same filters and range.
    var rq = new URLSearchParams();
    Object.keys(b).forEach(function (k) { if (b[k]) rq.set(k, b[k]); });
    $('report-link').href = 'report?' + rq;
    writeURL();
    state.ready = false;
    // Only the latest load marks the page ready (read by the browser test).
    var gen = state.gen = (state.gen || 0) + 1;
    document.body.dataset.ready = '';
    // Each panel draws when its data arrives. First render: the overview
    // and the trend chart drawn. The daily trend comes with the overview;
    // other granularities ask for the total and the overview's top pain
    // points.
    var ov = first ? Promise.resolve(first.overview) : api('overview', b);
    var overview = ov.then(renderOverview).then(function (keys) {
      state.overviewDrawn = state.overviewDrawn || performance.now();
      return keys;
    });
    var trend = f.granularity === 'day' ? ov.then(trendFromOverview) : Promise.all([
      api('trend', Object.assign({ granularity: f.granularity }, b)).then(function (r) { return r.series[0]; }),
      overview.then(function (keys) {
        return keys.length ? api('trend', Object.assign({ granularity: f.granularity, series: keys.join(',') }, b)) : { series: [] };
      }).then(function (r) { return r.series; })
    ]);
    var drawn = Promise.all([overview, trend, chartsReady]).then(function (r) {
      renderTrend(r[1][0], r[1][1], f.granularity);
      state.firstRender = state.firstRender || performance.now();
    });
    // The first screen (overview, trend, rising pain points) is asked for
    // first; the panels below it once it is drawn, so that on a busy
    // server they do not slow it down.
    var later = function (fn) { return drawn.then(fn); };
    var movers = Promise.all(first ? [first.rising, first.falling] : [
      api('pain-points', Object.assign({ sort: 'rising', limit: 6 }, b)),
      later(function () { return api('pain-points', Object.assign({ sort: 'falling', limit: 6 }, b)); })
    ]).then(function (r) { renderMovers(r[0], r[1]); });
    var channels = later(function () { return api('sentiment', Object.assign({ by: 'channel' }, b)); }).then(renderChannels);
    var drivers = later(function () { return api('drivers', Object.assign({ metric: 'rating' }, b)); }).then(renderDrivers);
    var alerts = later(function () { return api('alerts', b); }).then(renderAlerts);
    var changes = (first ? Promise.resolve(first.changes) : api('changes', b)).then(renderChanges);
    // The page's inline first screen leaves topics and emerging aspects
    // out: they read the raw aspect rows of two periods.
    var topics = (first && first.topics ? Promise.resolve(first.topics) : later(function () { return api('topics', b); })).then(renderTopics);
    var emerging = (first && first.emerging ? Promise.resolve(first.emerging) : later(function () { return api('aspects/unmapped', b); })).then(renderEmerging);
    state.errors = 0;
    $('error').hidden = true;
    var panels = [
      panel(changes, [$('changes-list'), $('matrix')]), panel(overview, [$('kpis'), $('top-table')]), panel(drawn, [$('trend-chart')]),
      panel(movers, [$('movers-table')]), panel(channels, [$('channel-chart')]), panel(drivers, [$('drivers-chart')]),
      panel(alerts, [$('alerts')]), panel(topics, [$('topics-table')]), panel(emerging, [$('emerging-table')])];
    return Promise.all(panels).then(function () {
      if (gen !== state.gen) return;
      if (!window.echarts) showError(t('noCharts'));
      state.ready = true;
      document.body.dataset.ready = '1';
      state.loaded = state.loaded || performance.now();
    });
  }

  // firstScreen is the first screen's data: inlined by the server (it
  // does so when the API needs no token), else from the API.
  function firstScreen() {
    var el = $('first-screen');
    if (el) {
      try { return Promise.resolve(JSON.parse(el.textContent)); } catch (e) { /* ask the API */ }
    }
    return api('dashboard', urlFilters());
  }

  // urlFilters are the filters of the page's URL, which the server's
  // first screen is computed for (none when the URL is an alert's link:
  // its range and scope are the alert's drill-down).
  function urlFilters() {
    var out = {};
    if (urlParams.has('alert')) return out;
    ['from', 'to', 'product', 'channel', 'customer_tier'].forEach(function (k) { if (urlParams.get(k)) out[k] = urlParams.get(k); });
    return out;
  }

  // restoreDrill opens the drill-down and record the URL names: a drill
  // the dashboard wrote (writeURL), or an alert's link (alert, category,
  // subcategory, product, channel, from, to, record).
  function restoreDrill() {
    var p = urlParams, opened;
    if (p.has('drill')) {
      var params = {};
      new URLSearchParams(p.get('drill')).forEach(function (v, k) { params[k] = v; });
      opened = openDrill(params, p.get('dt') || '', true, { q: p.get('dq') || '', offset: +p.get('doff') || 0, order: p.get('dord') });
    } else if (p.has('alert')) {
      var a = {};
      ['product', 'channel', 'from', 'to'].forEach(function (k) { if (p.get(k)) a[k] = p.get(k); });
      if (p.get('category')) a.category = p.get('category') + (p.get('subcategory') ? '/' + p.get('subcategory') : '');
      var title = [t('alerts'), a.category, a.product, a.channel, (a.from || '').slice(0, 16).replace('T', ' ')].filter(Boolean).join(' · ');
      opened = openDrill(a, title, true);
    }
    if (opened && p.get('record')) {
      var id = p.get('record');
      opened.then(function () { showRecord(id); });
    } else if (p.get('record')) {
      showRecord(p.get('record'));
    }
  }

  function init() {
    applyI18n();
    $('lang').addEventListener('click', function () {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem('voc-lang', lang);
      applyI18n();
      if (state.drill && !$('drill').hidden) $('drill-title').textContent = t('verbatims') + ' · ' + state.drill.title;
      load();
    });
    $('filters').addEventListener('submit', function (e) { e.preventDefault(); load(); });
    $('drill-close').addEventListener('click', closeDrill);
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeDrill(); });
    $('drill-search').addEventListener('submit', function (e) { e.preventDefault(); state.drill.offset = 0; loadDrill(); });
    $('drill-prev').addEventListener('click', function () { state.drill.offset = Math.max(0, state.drill.offset - 10); loadDrill(); });
    $('drill-next').addEventListener('click', function () { state.drill.offset += 10; loadDrill(); });
    $('drill-order').addEventListener('change', function () { state.drill.offset = 0; loadDrill(); });
    $('drill-csv').addEventListener('click', function (e) { e.preventDefault(); exportDrill(); });
    window.addEventListener('resize', function () { Object.keys(state.charts).forEach(function (k) { state.charts[k].resize(); }); });
    boot();
  }

  // boot draws the first screen; when it cannot be had, the panels ask
  // for theirs (and show their errors, each with a retry).
  function boot() {
    return firstScreen().then(function (d) {
      var fc = state.facets = d.facets;
      ['product', 'channel', 'customer_tier'].forEach(function (k) {
        var sel = $('filters')[k];
        while (sel.options.length > 1) sel.remove(1);
      });
      fillSelect('product', fc.products);
      fillSelect('channel', fc.channels);
      fillSelect('customer_tier', fc.customer_tiers);
      // The range d was computed for: the URL's, or the last days of data.
      var form = $('filters');
      form.from.value = d.overview.from.slice(0, 10);
      form.to.value = d.overview.to.slice(0, 10);
      // The other filters of the URL (d's too), whatever the browser
      // restored into the form.
      var uf = urlFilters();
      ['product', 'channel', 'customer_tier'].forEach(function (k) {
        var v = uf[k] || '';
        if (v && !Array.prototype.some.call(form[k].options, function (o) { return o.value === v; })) fillSelect(k, [v]);
        form[k].value = v;
      });
      var g = urlParams.get('granularity');
      form.granularity.value = g === 'hour' || g === 'week' ? g : 'day';
      var drawn = load(d);
      restoreDrill();
      return drawn;
    }, function () {
      var form = $('filters');
      ['from', 'to'].forEach(function (k) { if (urlParams.get(k)) form[k].value = urlParams.get(k).slice(0, 10); });
      return load(null);
    });
  }
  init();
})();
