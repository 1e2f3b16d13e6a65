// Appligarde hub dashboard. Plain JavaScript, no dependency: logs in with POST /api/v1/login,
// reads GET /api/v1/me, GET /api/v1/stats/monthly (years, long periods) or GET /api/v1/stats/days
// (a day, a month, up to 93 days), GET /api/v1/stats/doctors, GET /api/v1/communes and
// GET /api/v1/oru/daily (the syndromic indicators), draws SVG charts and tables, exports CSV.
// Never uses innerHTML with data (MMG names come from the hub's database).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const BUCKET_BOUNDS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
const SLOTS = [
  ["nuit", "Soir (20h-24h)"],
  ["milieu_de_nuit", "Nuit profonde (0h-8h)"],
  ["dimanche_ferie", "Dimanche et férié"],
  ["samedi_apres_midi", "Samedi après-midi"],
  ["pont", "Pont"],
  ["hors_pdsa", "Hors PDSA"],
];
const WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];
const MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const ARRIVAL = [
  ["regule_centre15", "Régulé Centre 15"], ["regule_116117", "Régulé 116 117"],
  ["regule_sas", "Régulé SAS"], ["spontane", "Spontané"], ["adresse_medecin", "Adressé par un médecin"],
  ["adresse_pharmacien", "Adressé par un pharmacien"], ["autre", "Autre"],
];
const AGES = [["0-2", "0-2"], ["3-5", "3-5"], ["6-15", "6-15"], ["16-44", "16-44"],
  ["45-64", "45-64"], ["65-74", "65-74"], ["75+", "75+"], ["inconnu", "Inconnu"]];
const SEXES = [["F", "Femmes"], ["M", "Hommes"], ["I", "Indéterminé"]];
const ORIENTATIONS = [["retour_domicile", "Retour à domicile"], ["medecin_traitant", "Médecin traitant"],
  ["urgences", "Urgences"], ["hospitalisation", "Hospitalisation"], ["samu_smur", "SAMU / SMUR"],
  ["deces", "Décès"], ["autre", "Autre"]];
const PAYMENTS = [["especes", "Espèces"], ["cheque", "Chèque"], ["carte", "Carte"],
  ["tiers_payant", "Tiers payant"], ["autre", "Autre"]];

const nombre = new Intl.NumberFormat("fr-FR");
const decimal1 = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });

const state = {
  token: sessionStorage.getItem("appligarde-hub-token"), me: null, stats: null, communes: null, doctors: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { ...options, headers });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const error = new Error(body && body.message ? body.message : `Erreur ${response.status} du hub.`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---- Session -----------------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  const erreur = $("erreur-connexion");
  erreur.hidden = true;
  const login = $("login").value.trim();
  const password = $("password").value;
  if (!login || !password) {
    erreur.textContent = "Indiquez votre identifiant et votre mot de passe.";
    erreur.hidden = false;
    return;
  }
  try {
    const answer = await api("/api/v1/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login, password }),
    });
    state.token = answer.token;
    sessionStorage.setItem("appligarde-hub-token", state.token);
    $("password").value = "";
    await start();
  } catch (error) {
    erreur.textContent = error.message;
    erreur.hidden = false;
    $("password").focus();
  }
}

// "Se déconnecter": the hub ends the session (the token is refused from then on), then the
// page forgets it. If the hub cannot be reached, the page forgets the token all the same.
async function endSession() {
  if (state.token) {
    try {
      await api("/api/v1/logout", { method: "POST" });
    } catch {
      // Already expired or hub unreachable: nothing more to end here.
    }
  }
  logout();
}

// Forgets the session in this page (after the hub refused the token, or after endSession).
function logout() {
  state.token = null;
  state.me = null;
  state.stats = null;
  state.communes = null;
  state.doctors = null;
  sessionStorage.removeItem("appligarde-hub-token");
  $("tableau").hidden = true;
  $("session").hidden = true;
  $("connexion").hidden = false;
  $("login").focus();
}

async function start() {
  try {
    state.me = await api("/api/v1/me");
  } catch (error) {
    if (error.status === 401) { logout(); return; }
    throw error;
  }
  $("connexion").hidden = true;
  $("tableau").hidden = false;
  $("session").hidden = false;
  const role = state.me.role === "urml-admin" ? "administrateur URML" : "coordinateur";
  $("qui").textContent = `${state.me.login} (${role})`;
  fillFilters();
  await refresh();
  await loadParc();
  await loadSante();
}

// ---- Filters -----------------------------------------------------------------------------

/** Longest period drawn day by day (`GET /api/v1/stats/days` takes 93 days at most). */
const MAX_DAY_VIEW = 93;
/** Longest period of the per-doctor table (`GET /api/v1/stats/doctors`). */
const MAX_DOCTOR_DAYS = 366;

function isoDate(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function lastDayOfMonth(month) {
  const [y, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}

/** Days from `from` to `to` inclusive (`AAAA-MM-JJ`). */
function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
}

function fillFilters() {
  const select = $("departement");
  select.replaceChildren(...state.me.departements.map((d) => el("option", { value: d }, `Département ${d}`)));
  const now = new Date();
  const years = [];
  for (let y = now.getFullYear(); y >= now.getFullYear() - 9; y -= 1) years.push(y);
  $("annee").replaceChildren(...years.map((y) => el("option", { value: String(y) }, String(y))));
  const months = [];
  for (const y of years) {
    for (let m = 12; m >= 1; m -= 1) months.push(`${y}-${String(m).padStart(2, "0")}`);
  }
  $("mois").replaceChildren(...months.map((m) => el("option", { value: m }, monthLabel(m))));
  const params = new URLSearchParams(location.search);
  const today = isoDate(now);
  $("jour").value = params.get("jour") || today;
  $("mois").value = params.get("mois") || today.slice(0, 7);
  $("annee").value = params.get("annee") || String(now.getFullYear());
  $("du").value = params.get("du") || `${today.slice(0, 7)}-01`;
  $("au").value = params.get("au") || today;
  const granularite = params.get("jour") ? "jour" : params.get("mois") ? "mois"
    : params.get("du") ? "perso" : "annee";
  $("granularite").value = granularite;
  showPeriodFields();
  if (params.get("departement") && state.me.departements.includes(params.get("departement"))) {
    select.value = params.get("departement");
  }
  fillMmgs();
}

/** Shows the date fields of the chosen kind of period only. */
function showPeriodFields() {
  const g = $("granularite").value;
  $("champ-jour").hidden = g !== "jour";
  $("champ-mois").hidden = g !== "mois";
  $("champ-annee").hidden = g !== "annee";
  $("champ-du").hidden = g !== "perso";
  $("champ-au").hidden = g !== "perso";
}

/**
 * The period chosen: `days` (drawn day by day, from the daily aggregates) for a day, a month or
 * a custom period of up to 93 days; `months` (from the monthly pre-aggregates) for a year or a
 * longer custom period, which is then rounded to whole months. A French error otherwise.
 */
function chosenPeriod() {
  const g = $("granularite").value;
  if (g === "jour") {
    const d = $("jour").value;
    return d ? { kind: "days", from: d, to: d } : { error: "Choisissez un jour." };
  }
  if (g === "mois") {
    const m = $("mois").value;
    return { kind: "days", from: `${m}-01`, to: lastDayOfMonth(m) };
  }
  if (g === "annee") {
    const y = $("annee").value;
    return { kind: "months", from: `${y}-01`, to: `${y}-12` };
  }
  const du = $("du").value;
  const au = $("au").value;
  if (!du || !au || au < du) {
    return { error: "Choisissez une période : la date de fin doit suivre la date de début." };
  }
  if (daysBetween(du, au) <= MAX_DAY_VIEW) return { kind: "days", from: du, to: au };
  if (daysBetween(du, au) > 3660) return { error: "Une période couvre au plus 10 ans." };
  return { kind: "months", from: du.slice(0, 7), to: au.slice(0, 7), rounded: true };
}

function fillMmgs() {
  const departement = $("departement").value;
  const mmgs = state.me.mmgs.filter((m) => m.departement === departement);
  $("liste-mmg").replaceChildren(...mmgs.map((m) => {
    const box = el("input", { type: "checkbox", value: m.id, id: `mmg-${m.id}` });
    box.checked = true;
    return el("label", { for: `mmg-${m.id}` }, box, ` ${m.name}`);
  }));
  const previous = $("mmg-medecins").value;
  $("mmg-medecins").replaceChildren(...mmgs.map((m) => el("option", { value: m.id }, m.name)));
  if (mmgs.some((m) => m.id === previous)) $("mmg-medecins").value = previous;
}

function selectedMmgs() {
  return new Set([...document.querySelectorAll("#liste-mmg input:checked")].map((b) => b.value));
}

async function refresh(event) {
  if (event) event.preventDefault();
  const erreur = $("erreur-tableau");
  erreur.hidden = true;
  const period = chosenPeriod();
  if (period.error) {
    erreur.textContent = period.error;
    erreur.hidden = false;
    return;
  }
  $("etat").textContent = "Chargement…";
  // Only the latest request is drawn: an earlier answer arriving late is dropped.
  const ticket = (state.statsTicket = (state.statsTicket || 0) + 1);
  try {
    const departement = $("departement").value;
    const query = new URLSearchParams({ departement, from: period.from, to: period.to });
    const path = period.kind === "days" ? "/api/v1/stats/days" : "/api/v1/stats/monthly";
    const [stats] = await Promise.all([api(`${path}?${query}`), loadCommunes()]);
    if (ticket !== state.statsTicket) return;
    state.stats = {
      ...stats, kind: period.kind, rounded: Boolean(period.rounded),
      request: { path, departement, from: period.from, to: period.to }, subset: null,
    };
    render();
    await Promise.all([refreshDoctors(), refreshOffsite(), refreshSyndromes()]);
  } catch (error) {
    $("etat").textContent = "";
    if (error.status === 401) { logout(); return; }
    erreur.textContent = error.message;
    erreur.hidden = false;
  }
}

/** Commune names (INSEE code -> name) from the hub's latest RPPS publication, once a session. */
async function loadCommunes() {
  if (state.communes) return;
  try {
    state.communes = (await api("/api/v1/communes")).communes || {};
  } catch (error) {
    if (error.status === 401) throw error;
    state.communes = {};
  }
}

/** « Nantes (44109) » when the hub knows the name, else the code. */
function communeLabel(code) {
  const name = state.communes && state.communes[code];
  return name ? `${name} (${code})` : code;
}

// ---- Figures -----------------------------------------------------------------------------

function emptyTotals() {
  return {
    days: 0, consultations: 0, bySlot: {}, shifts: {}, byWeekday: new Array(7).fill(0),
    heat: Array.from({ length: 7 }, () => new Array(24).fill(0)), heatKnown: true,
    byHour: new Array(24).fill(0), arrival: {}, age: {}, sex: {}, orientation: {},
    homeVisits: 0, chapters: {}, communes: {}, waiting: new Array(12).fill(0),
    length: new Array(12).fill(0), returns72h: 0, amounts: {}, byMonth: {}, byDay: {},
  };
}

function addMap(target, source) {
  for (const [k, v] of Object.entries(source || {})) target[k] = (target[k] || 0) + v;
}

function addArray(target, source) {
  (source || []).forEach((v, i) => { target[i] += v; });
}

/** Adds a monthly row, or a day view's period total, to `t`. */
function addBucket(t, bucket) {
  const c = bucket.counts;
  t.days += bucket.days;
  t.consultations += c.consultations || 0;
  addMap(t.bySlot, bucket.by_slot);
  addMap(t.shifts, bucket.shifts_by_slot);
  addArray(t.byWeekday, bucket.by_weekday);
  if (bucket.by_weekday_hour) {
    bucket.by_weekday_hour.forEach((hours, d) => addArray(t.heat[d], hours));
  } else {
    t.heatKnown = false;
  }
  addArray(t.byHour, c.by_arrival_hour);
  addMap(t.arrival, c.by_arrival_mode);
  addMap(t.age, c.by_age_band);
  addMap(t.sex, c.by_sex);
  addMap(t.orientation, c.by_orientation);
  t.homeVisits += c.home_visits || 0;
  addMap(t.chapters, c.by_cim10_chapter);
  addMap(t.communes, c.by_commune);
  addArray(t.waiting, c.waiting_minutes);
  addArray(t.length, c.consultation_minutes);
  t.returns72h += c.returns_within_72h || 0;
  addMap(t.amounts, c.amounts_cents);
  if (bucket.month) t.byMonth[bucket.month] = (t.byMonth[bucket.month] || 0) + (c.consultations || 0);
}

/** Adds one MMG of the answer (monthly or day view) to `t`. */
function addMmg(t, mmg) {
  if (mmg.months) {
    for (const month of mmg.months) addBucket(t, month);
    return;
  }
  addBucket(t, mmg.total);
  for (const day of mmg.days) {
    const slots = t.byDay[day.date] || (t.byDay[day.date] = {});
    addMap(slots, day.by_slot);
  }
}

function share(part, whole) {
  return whole > 0 ? (100 * part) / whole : null;
}

/** « ≤ 15 min » for a bucket index of the hub's quantiles (`BucketQuantiles`), or null. */
function bucketText(index) {
  if (index === null || index === undefined) return null;
  return index < BUCKET_BOUNDS.length ? `≤ ${BUCKET_BOUNDS[index]} min` : "> 240 min";
}

/** The indicators of no consultation at all (nothing ticked). */
const NO_INDICATORS = {
  regulated_percent: null, waiting: { median_bucket: null, p90_bucket: null },
  consultation_length: { median_bucket: null, p90_bucket: null },
};

/**
 * The hub's indicators (regulated share, quantiles: `Indicators` of the API) of the ticked MMGs:
 * those of the answer when every MMG, or a single one, is ticked; otherwise those of a request
 * restricted to the ticked MMGs (`mmgs=`), null until it has arrived (the figures are then drawn
 * again).
 */
function selectionIndicators(mmgs) {
  const stats = state.stats;
  if (mmgs.length === 0) return NO_INDICATORS;
  if (mmgs.length === stats.mmgs.length) return stats.indicators;
  if (mmgs.length === 1) return mmgs[0].indicators;
  const key = mmgs.map((m) => m.mmg_id).sort().join(",");
  if (stats.subset && stats.subset.key === key) return stats.subset.indicators;
  loadSubsetIndicators(stats, key);
  return null;
}

async function loadSubsetIndicators(stats, key) {
  if (stats.subsetPending === key) return;
  stats.subsetPending = key;
  try {
    const { path, departement, from, to } = stats.request;
    const answer = await api(`${path}?${new URLSearchParams({ departement, from, to, mmgs: key })}`);
    if (state.stats !== stats) return;
    stats.subset = { key, indicators: answer.indicators };
    render();
  } catch (error) {
    if (error.status === 401) logout();
  } finally {
    if (stats.subsetPending === key) stats.subsetPending = null;
  }
}

function percentText(value) {
  return value === null ? "—" : `${decimal1.format(value)} %`;
}

function monthsOfPeriod(from, to) {
  const months = [];
  let [y, m] = from.split("-").map(Number);
  const [ty, tm] = to.split("-").map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    months.push(`${y}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return months;
}

function datesOfPeriod(from, to) {
  const dates = [];
  for (let d = new Date(`${from}T00:00:00Z`); isoDateUtc(d) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
    dates.push(isoDateUtc(d));
  }
  return dates;
}

function isoDateUtc(d) {
  return d.toISOString().slice(0, 10);
}

function monthLabel(month) {
  const [y, m] = month.split("-");
  return `${MONTHS[Number(m) - 1]} ${y}`;
}

/** « sam. 6 déc. 2025 ». */
function dateLabel(date) {
  const d = new Date(`${date}T12:00:00Z`);
  const weekday = WEEKDAYS[(d.getUTCDay() + 6) % 7].slice(0, 3).toLowerCase();
  return `${weekday}. ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function periodLabel(stats) {
  if (stats.kind === "months") {
    return `de ${monthLabel(stats.from)} à ${monthLabel(stats.to)}${stats.rounded ? " (période arrondie aux mois entiers)" : ""}`;
  }
  return stats.from === stats.to ? `le ${dateLabel(stats.from)}` : `du ${dateLabel(stats.from)} au ${dateLabel(stats.to)}`;
}

/** A chart label: the month alone within one year, MM/AA over several. */
function shortMonthLabel(month, severalYears) {
  const [y, m] = month.split("-");
  return severalYears ? `${m}/${y.slice(2)}` : MONTHS[Number(m) - 1];
}

function computeFigures() {
  const chosen = selectedMmgs();
  const mmgs = state.stats.mmgs.filter((m) => chosen.has(m.mmg_id));
  const total = emptyTotals();
  const perMmg = mmgs.map((mmg) => {
    const t = emptyTotals();
    addMmg(t, mmg);
    addMmg(total, mmg);
    return { id: mmg.mmg_id, name: mmg.mmg_name, totals: t, indicators: mmg.indicators };
  });
  return { total, perMmg, indicators: selectionIndicators(mmgs) };
}

// ---- Charts ------------------------------------------------------------------------------

/** A bar chart: vertical when there are many short labels, horizontal otherwise. */
function barChart(rows, { horizontal = false, format = (v) => nombre.format(v) } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  if (horizontal) {
    // Room for the longest label (« Saint-Sebastien-sur-Loire (44190) »), within bounds.
    const longest = Math.max(0, ...rows.map((r) => String(r.label).length));
    const labelWidth = Math.min(250, Math.max(120, Math.round(longest * 7) + 14));
    const width = 480;
    const rowHeight = 24;
    const height = rows.length * rowHeight + 8;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    rows.forEach((r, i) => {
      const y = 4 + i * rowHeight;
      const w = ((width - labelWidth - 70) * r.value) / max;
      chart.append(svg("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end" }, r.label));
      chart.append(svg("rect", { class: "barre", x: labelWidth, y: y + 3, width: Math.max(w, 0), height: rowHeight - 7, rx: 2 }));
      chart.append(svg("text", { class: "valeur", x: labelWidth + w + 5, y: y + 15 }, format(r.value)));
    });
    return chart;
  }
  const width = 520;
  const height = 200;
  const left = 44;
  const bottom = 34;
  const plotHeight = height - bottom - 12;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const step = (width - left - 6) / Math.max(rows.length, 1);
  for (const fraction of [0, 0.5, 1]) {
    const y = 12 + plotHeight * (1 - fraction);
    chart.append(svg("line", { class: "axe", x1: left, x2: width - 4, y1: y, y2: y }));
    chart.append(svg("text", { x: left - 5, y: y + 4, "text-anchor": "end" }, nombre.format(Math.round(max * fraction))));
  }
  const everyOther = rows.length > 16;
  rows.forEach((r, i) => {
    const h = (plotHeight * r.value) / max;
    const x = left + i * step + step * 0.15;
    chart.append(svg("rect", { class: "barre", x, y: 12 + plotHeight - h, width: step * 0.7, height: h, rx: 1.5 },));
    if (!everyOther || i % 2 === 0) {
      chart.append(svg("text", { x: x + step * 0.35, y: height - bottom + 15, "text-anchor": "middle" }, r.label));
    }
  });
  return chart;
}

function dataTable(headers, rows, footer) {
  const head = el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h))));
  const body = el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, String(c))))));
  const table = el("table", {}, head, body);
  if (footer) table.append(el("tfoot", {}, el("tr", {}, ...footer.map((c) => el("td", {}, String(c))))));
  return table;
}

function chartCard(title, definition, rows, options = {}) {
  const total = rows.reduce((a, r) => a + r.value, 0);
  const showShare = options.share !== false;
  const format = options.format || ((v) => nombre.format(v));
  const table = options.table || dataTable(
    showShare ? ["", "Nombre", "Part"] : ["", "Valeur"],
    rows.map((r) => (showShare ? [r.label, format(r.value), percentText(share(r.value, total))] : [r.label, format(r.value)])),
  );
  return card(title, definition, options.chart || barChart(rows, options), table, options.id);
}

function card(title, definition, chart, table, id) {
  const attrs = { class: "carte graphique" };
  if (id) attrs.id = id;
  return el("section", attrs,
    el("h2", {}, title),
    el("p", { class: "definition" }, definition),
    chart,
    el("details", {}, el("summary", {}, "Voir le tableau"), table));
}

/** Bars per date, stacked by PDSA slot, with a legend. */
function stackedChart(dates, byDay) {
  // Drawn wide: the card spans two columns on large screens.
  const width = 1000;
  const height = 250;
  const left = 44;
  const bottom = 46;
  const plotHeight = height - bottom - 12;
  const totals = dates.map((d) => Object.values(byDay[d] || {}).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Consultations par jour et par créneau" });
  for (const fraction of [0, 0.5, 1]) {
    const y = 12 + plotHeight * (1 - fraction);
    chart.append(svg("line", { class: "axe", x1: left, x2: width - 4, y1: y, y2: y }));
    chart.append(svg("text", { x: left - 5, y: y + 4, "text-anchor": "end" }, nombre.format(Math.round(max * fraction))));
  }
  const step = (width - left - 6) / Math.max(dates.length, 1);
  const labelEvery = Math.ceil(dates.length / 31);
  dates.forEach((date, i) => {
    let y = 12 + plotHeight;
    const x = left + i * step + step * 0.12;
    SLOTS.forEach(([slot, label], k) => {
      const n = (byDay[date] || {})[slot] || 0;
      if (!n) return;
      const h = (plotHeight * n) / max;
      y -= h;
      const rect = svg("rect", { class: `barre creneau-${k}`, x, y, width: step * 0.76, height: h });
      rect.append(svg("title", {}, `${dateLabel(date)}, ${label} : ${nombre.format(n)}`));
      chart.append(rect);
    });
    if (i % labelEvery === 0) {
      chart.append(svg("text", { x: x + step * 0.38, y: height - bottom + 15, "text-anchor": "middle" }, String(Number(date.slice(8)))));
    }
  });
  SLOTS.forEach(([, label], k) => {
    const x = left + k * 158;
    const y = height - 10;
    chart.append(svg("rect", { class: `barre creneau-${k}`, x, y: y - 9, width: 10, height: 10 }));
    chart.append(svg("text", { x: x + 14, y }, label));
  });
  return chart;
}

/** The heat map of arrivals: weekdays down, hours across, darker when busier. */
function heatMap(heat) {
  const width = 520;
  const left = 40;
  const top = 18;
  const cell = (width - left - 4) / 24;
  const rowHeight = 22;
  const height = top + rowHeight * 7 + 30;
  const max = Math.max(1, ...heat.flat());
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Carte de chaleur des arrivées par jour de la semaine et heure" });
  for (let h = 0; h < 24; h += 2) {
    chart.append(svg("text", { x: left + h * cell + cell / 2, y: top - 5, "text-anchor": "middle" }, `${h}h`));
  }
  heat.forEach((hours, d) => {
    const y = top + d * rowHeight;
    chart.append(svg("text", { x: left - 5, y: y + rowHeight / 2 + 4, "text-anchor": "end" }, WEEKDAYS[d].slice(0, 3)));
    hours.forEach((n, h) => {
      const intensity = n / max;
      const rect = svg("rect", {
        class: "case", x: left + h * cell + 0.5, y: y + 0.5, width: cell - 1, height: rowHeight - 1, rx: 2,
        fill: n === 0 ? "#f1f4f8" : `rgba(29, 78, 137, ${(0.12 + 0.88 * intensity).toFixed(3)})`,
      });
      rect.append(svg("title", {}, `${WEEKDAYS[d]} ${h}h : ${nombre.format(n)} arrivée(s)`));
      chart.append(rect);
    });
  });
  const legendY = top + rowHeight * 7 + 16;
  chart.append(svg("text", { x: left, y: legendY }, "Moins"));
  [0.12, 0.34, 0.56, 0.78, 1].forEach((a, i) => {
    chart.append(svg("rect", { x: left + 42 + i * 16, y: legendY - 10, width: 14, height: 12, rx: 2, fill: `rgba(29, 78, 137, ${a})` }));
  });
  chart.append(svg("text", { x: left + 42 + 5 * 16 + 4, y: legendY }, `Plus (max. ${nombre.format(max)})`));
  return chart;
}

function topEntries(map, n) {
  return Object.entries(map).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n)
    .map(([label, value]) => ({ label, value }));
}

function render() {
  const { total, perMmg, indicators } = computeFigures();
  const stats = state.stats;
  $("etat").textContent = `Département ${stats.departement}, ${periodLabel(stats)} : ${perMmg.length} MMG sélectionnée(s).`;

  const c = total.consultations;
  const amount = Object.values(total.amounts).reduce((a, b) => a + b, 0) / 100;
  const shifts = Object.values(total.shifts).reduce((a, b) => a + b, 0);
  const kpis = [
    ["Consultations", nombre.format(c)],
    ["Par jour d'ouverture", total.days ? decimal1.format(c / total.days) : "—"],
    ["Par garde", shifts ? decimal1.format(c / shifts) : "—"],
    ["Patients régulés (15, 116 117, SAS)", indicators ? percentText(indicators.regulated_percent) : "…"],
    ["Orientés urgences, hospitalisés ou SAMU/SMUR", indicators ? percentText(indicators.emergency_or_hospital_percent) : "…"],
    ["Visites à domicile", nombre.format(total.homeVisits)],
    ["Attente médiane", indicators ? bucketText(indicators.waiting.median_bucket) || "—" : "…"],
    ["Attente, 90e centile", indicators ? bucketText(indicators.waiting.p90_bucket) || "—" : "…"],
    ["Retours sous 72 h", percentText(share(total.returns72h, c))],
    ["Montants encaissés", euros.format(amount)],
  ];
  $("indicateurs").replaceChildren(...kpis.map(([label, value]) => el("div", { class: "indicateur" },
    el("div", { class: "valeur" }, value), el("div", { class: "libelle" }, label))));

  const pairs = (list, map) => list.map(([key, label]) => ({ label, value: map[key] || 0 }));
  const charts = [];
  if (stats.kind === "months") {
    const months = monthsOfPeriod(stats.from, stats.to);
    charts.push(chartCard("Consultations par mois", "Nombre de consultations de chaque mois de la période, toutes MMG sélectionnées.",
      months.map((m) => ({ label: shortMonthLabel(m, months.length > 12), value: total.byMonth[m] || 0 }))));
  } else {
    const dates = datesOfPeriod(stats.from, stats.to);
    const table = dataTable(["Date", ...SLOTS.map(([, label]) => label), "Total"],
      dates.map((d) => {
        const slots = total.byDay[d] || {};
        const values = SLOTS.map(([slot]) => slots[slot] || 0);
        return [dateLabel(d), ...values.map((v) => nombre.format(v)), nombre.format(values.reduce((a, b) => a + b, 0))];
      }));
    charts.push(card("Consultations par jour et par créneau", "Consultations de chaque date de garde (la nuit du 3 au 4 compte pour le 3), par période PDSA.",
      stackedChart(dates, total.byDay), table, "carte-jours"));
  }
  const slotTable = dataTable(["Créneau", "Consultations", "Part", "Gardes tenues", "Par garde"],
    SLOTS.map(([slot, label]) => {
      const n = total.bySlot[slot] || 0;
      const held = total.shifts[slot] || 0;
      return [label, nombre.format(n), percentText(share(n, c)), nombre.format(held), held ? decimal1.format(n / held) : "—"];
    }));
  charts.push(chartCard("Par créneau de permanence", "Consultations selon la période PDSA où le patient est arrivé ; une garde tenue est un créneau d'une date où la MMG a ouvert.",
    pairs(SLOTS, total.bySlot), { horizontal: true, table: slotTable }));
  const heatTable = dataTable(["", ...Array.from({ length: 24 }, (_, h) => `${h}h`)],
    total.heat.map((hours, d) => [WEEKDAYS[d], ...hours.map((n) => nombre.format(n))]));
  charts.push(card("Arrivées par jour de la semaine et heure",
    total.heatKnown ? "Consultations selon le jour de la semaine de la date de garde et l'heure d'arrivée du patient."
      : "Certains mois anciens ne sont pas encore recalculés par le hub : la carte est incomplète.",
    heatMap(total.heat), heatTable, "carte-chaleur"));
  charts.push(
    chartCard("Par heure d'arrivée", "Consultations selon l'heure d'arrivée du patient (0 h à 23 h).",
      total.byHour.map((value, h) => ({ label: `${h}h`, value }))),
    chartCard("Par jour de la semaine", "Consultations selon le jour de la semaine de la date de garde.",
      WEEKDAYS.map((label, i) => ({ label: label.slice(0, 3), value: total.byWeekday[i] }))),
    chartCard("Mode d'arrivée", "Part des patients régulés (Centre 15, 116 117, SAS) et des autres modes d'arrivée.",
      pairs(ARRIVAL, total.arrival), { horizontal: true }),
    chartCard("Tranches d'âge", "Âge du patient le jour de la consultation, en années.", pairs(AGES, total.age)),
    chartCard("Sexe", "Sexe du patient.", pairs(SEXES, total.sex), { horizontal: true }),
    chartCard("Orientation", "Orientation à la sortie de la consultation.", pairs(ORIENTATIONS, total.orientation), { horizontal: true }),
    chartCard("Chapitres CIM-10 les plus fréquents", "Diagnostics codés, regroupés par chapitre de la CIM-10 (10 premiers).",
      topEntries(total.chapters, 10), { horizontal: true }),
    chartCard("Communes de résidence", "Commune des patients (nom d'après la dernière publication RPPS du hub, sinon code INSEE ; 10 premières).",
      topEntries(total.communes, 10).map((r) => ({ ...r, label: communeLabel(r.label) })), { horizontal: true }),
    chartCard("Temps d'attente", "Minutes entre l'arrivée et le début de la consultation.",
      total.waiting.map((value, i) => ({ label: i < BUCKET_BOUNDS.length ? `≤${BUCKET_BOUNDS[i]}` : ">240", value }))),
    chartCard("Montants par mode de paiement", "Sommes encaissées, en euros.",
      PAYMENTS.map(([key, label]) => ({ label, value: (total.amounts[key] || 0) / 100 })),
      { horizontal: true, format: (v) => euros.format(v) }),
    chartCard("Consultations par MMG", "Comparaison des MMG sélectionnées sur la période.",
      perMmg.map((m) => ({ label: m.name, value: m.totals.consultations })), { horizontal: true }),
  );
  $("graphiques").replaceChildren(...charts);
  $("comparaison").replaceChildren(comparisonTable(perMmg, total, indicators));
}

// ---- Activity per doctor -------------------------------------------------------------------

/** The period of the per-doctor table, as dates (`AAAA-MM-JJ`). */
function doctorPeriod() {
  const stats = state.stats;
  if (stats.kind === "days") return { from: stats.from, to: stats.to };
  return { from: `${stats.from}-01`, to: lastDayOfMonth(stats.to) };
}

async function refreshDoctors() {
  const target = $("medecins");
  const etat = $("etat-medecins");
  state.doctors = null;
  const mmg = $("mmg-medecins").value;
  if (!state.stats || !mmg) { target.replaceChildren(); etat.textContent = ""; return; }
  const { from, to } = doctorPeriod();
  if (daysBetween(from, to) > MAX_DOCTOR_DAYS) {
    target.replaceChildren();
    etat.textContent = "L'activité par médecin se consulte sur un an au plus : choisissez une période plus courte.";
    return;
  }
  etat.textContent = "Chargement…";
  const ticket = (state.doctorsTicket = (state.doctorsTicket || 0) + 1);
  try {
    const query = new URLSearchParams({ mmg, from, to });
    const answer = await api(`/api/v1/stats/doctors?${query}`);
    if (ticket !== state.doctorsTicket) return;
    state.doctors = answer;
  } catch (error) {
    if (ticket !== state.doctorsTicket) return;
    target.replaceChildren();
    etat.textContent = error.message;
    if (error.status === 401) logout();
    return;
  }
  const d = state.doctors;
  const attributed = d.doctors.reduce((a, x) => a + x.consultations, 0);
  etat.textContent = d.doctors.length
    ? `${d.mmg_name}, ${periodLabel({ ...state.stats, kind: "days", from: d.from, to: d.to })} : ${d.doctors.length} médecin(s), ${nombre.format(attributed)} consultation(s) sur ${nombre.format(d.consultations)}.`
    : `${d.mmg_name} : aucune consultation attribuée à un médecin sur la période.`;
  if (!d.doctors.length) { target.replaceChildren(); return; }
  const rows = d.doctors.map((x) => [x.label, nombre.format(x.consultations), percentText(share(x.consultations, attributed)),
    nombre.format(x.shifts), x.shifts ? decimal1.format(x.consultations / x.shifts) : "—",
    ...SLOTS.map(([slot]) => nombre.format(x.by_slot[slot] || 0))]);
  const table = dataTable(["Médecin", "Consultations", "Part", "Gardes", "Par garde", ...SLOTS.map(([, label]) => label)], rows);
  table.id = "table-medecins";
  target.replaceChildren(
    el("div", { class: "graphique" }, barChart(d.doctors.map((x) => ({ label: x.label, value: x.consultations })), { horizontal: true })),
    el("div", { class: "defilement" }, table));
}

const COMPARISON_HEADERS = ["MMG", "Consultations", "Jours d'ouverture", "Par jour", "Régulés (%)",
  "Urgences, hospitalisation ou SAMU/SMUR (%)", "Visites à domicile", "Attente médiane", "Retours sous 72 h (%)", "Montants (€)",
  "Gardes tenues", "Par garde"];

function shiftsOf(t) {
  return Object.values(t.shifts).reduce((a, b) => a + b, 0);
}

/** One row of the comparison; `indicators` is the hub's (null while it is being fetched). */
function comparisonRow(name, t, indicators) {
  const c = t.consultations;
  return [
    name, c, t.days, t.days ? c / t.days : null, indicators ? indicators.regulated_percent : null,
    indicators ? indicators.emergency_or_hospital_percent : null,
    t.homeVisits, indicators ? bucketText(indicators.waiting.median_bucket) : null, share(t.returns72h, c),
    Object.values(t.amounts).reduce((a, b) => a + b, 0) / 100,
    shiftsOf(t), shiftsOf(t) ? c / shiftsOf(t) : null,
  ];
}

function comparisonTable(perMmg, total, indicators) {
  const show = (row) => row.map((v, i) => {
    if (v === null) return "—";
    if (typeof v !== "number") return v;
    return [3, 4, 5, 8, 11].includes(i) ? decimal1.format(v) : nombre.format(Math.round(v));
  });
  return dataTable(COMPARISON_HEADERS, perMmg.map((m) => show(comparisonRow(m.name, m.totals, m.indicators))),
    show(comparisonRow("Ensemble", total, indicators)));
}

// ---- CSV export (French spreadsheet conventions) ---------------------------------------------

/** `;` separators, decimal comma, UTF-8 with a BOM, CRLF line ends, quotes when needed. */
function csvCell(value) {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number"
    ? (Number.isInteger(value) ? String(value) : value.toFixed(1).replace(".", ","))
    : String(value);
  // A cell starting with = + - @ would be read as a formula by spreadsheets.
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function exportCsv() {
  if (!state.stats) return;
  const { total, perMmg, indicators } = computeFigures();
  const stats = state.stats;
  const lines = [];
  lines.push(["Département", stats.departement, "Du", stats.from, "Au", stats.to]);
  lines.push([]);
  lines.push(COMPARISON_HEADERS);
  for (const m of perMmg) lines.push(comparisonRow(m.name, m.totals, m.indicators));
  lines.push(comparisonRow("Ensemble", total, indicators));
  lines.push([]);
  if (stats.kind === "months") {
    const months = monthsOfPeriod(stats.from, stats.to);
    lines.push(["Consultations par mois", ...months.map(monthLabel)]);
    for (const m of perMmg) lines.push([m.name, ...months.map((mo) => m.totals.byMonth[mo] || 0)]);
  } else {
    const dates = datesOfPeriod(stats.from, stats.to);
    lines.push(["Consultations par jour", ...dates]);
    const daySum = (t, d) => Object.values(t.byDay[d] || {}).reduce((a, b) => a + b, 0);
    for (const m of perMmg) lines.push([m.name, ...dates.map((d) => daySum(m.totals, d))]);
    lines.push([]);
    lines.push(["Date", ...SLOTS.map(([, label]) => label)]);
    for (const d of dates) lines.push([d, ...SLOTS.map(([slot]) => (total.byDay[d] || {})[slot] || 0)]);
  }
  lines.push([]);
  lines.push(["Créneau", "Consultations", "Gardes tenues"]);
  for (const [slot, label] of SLOTS) lines.push([label, total.bySlot[slot] || 0, total.shifts[slot] || 0]);
  lines.push([]);
  lines.push(["Arrivées par jour et heure", ...Array.from({ length: 24 }, (_, h) => `${h}h`)]);
  total.heat.forEach((hours, d) => lines.push([WEEKDAYS[d], ...hours]));
  lines.push([]);
  lines.push(["Commune", "Consultations"]);
  for (const { label, value } of topEntries(total.communes, 1000)) lines.push([communeLabel(label), value]);
  if (state.doctors && state.doctors.doctors.length) {
    lines.push([]);
    lines.push([`Activité par médecin : ${state.doctors.mmg_name}`, "Consultations", "Gardes"]);
    for (const x of state.doctors.doctors) lines.push([x.label, x.consultations, x.shifts]);
  }
  const text = "\uFEFF" + lines.map((l) => l.map(csvCell).join(";")).join("\r\n") + "\r\n";
  const link = el("a", {
    href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })),
    download: `appligarde-${state.stats.departement}-${state.stats.from}-${state.stats.to}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- Off-site backups --------------------------------------------------------------------

const dateHeure = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short" });

/** Size in MB (or kB for small copies), French format. */
function sizeText(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1e6) return `${nombre.format(Math.ceil(bytes / 1e3))} ko`;
  return `${decimal1.format(bytes / 1e6)} Mo`;
}

/** The last off-site copy of each MMG of the chosen département (`GET /api/v1/stats/backups`). */
async function refreshOffsite() {
  const etat = $("etat-hors-site");
  const zone = $("hors-site");
  const departement = $("departement").value;
  etat.textContent = "Chargement…";
  const ticket = (state.offsiteTicket = (state.offsiteTicket || 0) + 1);
  let status;
  try {
    status = await api(`/api/v1/stats/backups?${new URLSearchParams({ departement })}`);
  } catch (error) {
    if (ticket !== state.offsiteTicket) return;
    etat.textContent = error.message;
    zone.replaceChildren();
    return;
  }
  if (ticket !== state.offsiteTicket) return;
  const rows = status.mmgs.map((m) => [
    m.name,
    m.last_copy_at ? dateHeure.format(new Date(m.last_copy_at)) : "jamais",
    sizeText(m.last_copy_bytes),
    nombre.format(m.copies),
    m.no_copy_48h ? "⚠ Aucune copie hors site depuis 48 h" : "À jour",
  ]);
  const late = status.mmgs.filter((m) => m.no_copy_48h).length;
  etat.textContent = status.mmgs.length === 0
    ? "Aucune MMG dans ce département."
    : late === 0
      ? "Toutes les MMG ont une copie hors site de moins de 48 h."
      : `${nombre.format(late)} MMG sans copie hors site depuis 48 h.`;
  const table = dataTable(["MMG", "Dernière copie reçue", "Taille", "Copies gardées", "État"], rows);
  table.id = "table-hors-site";
  zone.replaceChildren(table);
}

// ---- Syndromic indicators for the ORU (GET /api/v1/oru/daily) -------------------------------

/** The chosen period as days (a year view: its twelve months), or an error: at most 366 days. */
function oruPeriod() {
  const period = chosenPeriod();
  if (period.error) return period;
  const from = period.kind === "months" ? `${period.from}-01` : period.from;
  const to = period.kind === "months" ? lastDayOfMonth(period.to) : period.to;
  if (daysBetween(from, to) > 366) {
    return { error: "Les indicateurs syndromiques couvrent au plus 366 jours : choisissez une période plus courte." };
  }
  return { from, to };
}

async function refreshSyndromes() {
  const etat = $("etat-syndromes");
  const period = oruPeriod();
  const ticket = (state.oruTicket = (state.oruTicket || 0) + 1);
  state.oru = null;
  $("table-syndromes-zone").replaceChildren();
  if (period.error) {
    etat.textContent = period.error;
    return;
  }
  etat.textContent = "Chargement…";
  const query = new URLSearchParams({ departement: $("departement").value, from: period.from, to: period.to });
  try {
    const answer = await api(`/api/v1/oru/daily?${query}`);
    if (ticket !== state.oruTicket) return;
    state.oru = { answer, query };
    renderSyndromes();
  } catch (error) {
    if (ticket !== state.oruTicket) return;
    etat.textContent = error.message;
  }
}

/** The table of the ticked MMGs: the denominator, then each syndrome, by age class. */
function renderSyndromes() {
  const { answer } = state.oru;
  const selected = selectedMmgs();
  const rows = answer.rows.filter((r) => selected.has(r.mmg_id));
  const keys = answer.age_classes.map((c) => c.key);
  const sum = (pick) => {
    const cells = Object.fromEntries(keys.map((k) => [k, 0]));
    for (const r of rows) {
      const counts = pick(r);
      if (counts) for (const k of keys) cells[k] += counts[k] || 0;
    }
    return cells;
  };
  const total = (cells) => keys.reduce((a, k) => a + cells[k], 0);
  const denominator = sum((r) => r.with_diagnosis);
  const line = (label, cells) => [label, ...keys.map((k) => nombre.format(cells[k])), nombre.format(total(cells)),
    percentText(share(total(cells), total(denominator)))];
  const lines = [line("Consultations avec au moins un diagnostic", denominator)];
  for (const s of answer.syndromes) lines.push(line(s.label, sum((r) => r.syndromes[s.code])));
  const incomplete = rows.filter((r) => !r.complete).length;
  $("etat-syndromes").textContent = rows.length === 0
    ? "Aucune consultation sur la période pour les MMG cochées."
    : incomplete > 0
      ? `${nombre.format(incomplete)} jour(s) × MMG envoyés par un poste d'une version antérieure : comptes incomplets.`
      : `${nombre.format(rows.length)} jour(s) × MMG sur la période.`;
  const table = dataTable(["Indicateur", ...answer.age_classes.map((c) => c.label), "Total", "Part"], lines);
  table.id = "table-syndromes";
  $("table-syndromes-zone").replaceChildren(table);
}

/** The hub's CSV of the period (every MMG of the département), downloaded with the session. */
async function exportOru() {
  const period = oruPeriod();
  if (period.error) {
    $("etat-syndromes").textContent = period.error;
    return;
  }
  const query = new URLSearchParams({ departement: $("departement").value, from: period.from, to: period.to });
  const response = await fetch(`/api/v1/oru/daily.csv?${query}`, {
    headers: { Authorization: `Bearer ${state.token}` },
  });
  if (!response.ok) {
    let message = `Erreur ${response.status} du hub.`;
    try { message = (await response.json()).message || message; } catch { /* not JSON */ }
    $("etat-syndromes").textContent = message;
    return;
  }
  const link = el("a", {
    href: URL.createObjectURL(await response.blob()),
    download: `oru-${query.get("departement")}-${period.from}-${period.to}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- Wiring ------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("form-connexion").addEventListener("submit", login);
  $("deconnexion").addEventListener("click", endSession);
  $("filtres").addEventListener("submit", refresh);
  $("departement").addEventListener("change", () => { fillMmgs(); refresh(); });
  $("granularite").addEventListener("change", () => { showPeriodFields(); refresh(); });
  for (const id of ["jour", "mois", "annee"]) $(id).addEventListener("change", () => refresh());
  $("liste-mmg").addEventListener("change", () => {
    if (state.stats) render();
    if (state.oru) renderSyndromes();
  });
  $("export-oru").addEventListener("click", exportOru);
  $("mmg-medecins").addEventListener("change", () => refreshDoctors());
  $("export").addEventListener("click", exportCsv);
  if (state.token) start().catch(() => logout()); else $("login").focus();
});

// ---- Fleet: the conventions accepted by each MMG (GET /api/v1/parc) ------------------------

function parcVersion(accepted, latest) {
  if (!accepted) return "aucune";
  const when = new Date(accepted.accepted_at).toLocaleDateString("fr-FR");
  const old = latest !== null && accepted.version < latest ? " (ancienne)" : "";
  return `v${accepted.version} le ${when}${old}`;
}

async function loadParc() {
  const status = $("etat-parc");
  const target = $("parc-table");
  status.textContent = "Chargement…";
  let parc;
  try {
    parc = await api("/api/v1/parc");
  } catch (error) {
    status.textContent = `Le parc n'a pas pu être lu : ${error.message}`;
    return;
  }
  const latest = (v) => (v === null ? "aucune publiée (version du paquet)" : `v${v}`);
  status.textContent = `Dernières versions publiées : convention ${latest(parc.published.mmg)}, ` +
    `charte ${latest(parc.published.charte)}.`;
  const rows = parc.mmgs.map((m) => [
    m.departement,
    m.name,
    parcVersion(m.mmg, parc.published.mmg),
    parcVersion(m.charte, parc.published.charte),
    m.up_to_date ? "à jour" : "à relancer",
    m.last_seen_at ? new Date(m.last_seen_at).toLocaleString("fr-FR") : "jamais",
  ]);
  target.replaceChildren(rows.length === 0
    ? el("p", {}, "Aucune MMG.")
    : dataTable(["Dépt", "MMG", "Convention d'utilisation", "Charte des utilisateurs", "État", "Dernier contact"], rows));
}

// ---- Fleet health: each PC's figures and flags (GET /api/v1/parc/postes) --------------------

/** "il y a 3 h" / "il y a 4 j", from a number of hours. */
function ageText(hours) {
  if (hours === null || hours === undefined) return "";
  if (hours < 48) return `il y a ${nombre.format(Math.max(hours, 0))} h`;
  return `il y a ${nombre.format(Math.floor(hours / 24))} j`;
}

function whenText(at) {
  return at ? dateHeure.format(new Date(at)) : "jamais";
}

async function loadSante() {
  const status = $("etat-sante");
  const target = $("sante-table");
  status.textContent = "Chargement…";
  let parc;
  try {
    parc = await api("/api/v1/parc/postes");
  } catch (error) {
    status.textContent = `La santé du parc n'a pas pu être lue : ${error.message}`;
    target.replaceChildren();
    return;
  }
  const flagged = parc.postes.filter((p) => p.alertes.length > 0).length;
  status.textContent = parc.postes.length === 0
    ? "Aucun poste en service."
    : flagged === 0
      ? `${nombre.format(parc.postes.length)} postes, aucun signalé.`
      : `${nombre.format(parc.postes.length)} postes, dont ${nombre.format(flagged)} signalé${flagged > 1 ? "s" : ""}.`;
  if (parc.postes.length === 0) { target.replaceChildren(); return; }
  const headers = ["Dépt", "MMG", "Poste", "Canal", "Version", "Dernier contact",
    "Dernière sauvegarde", "Intégrité", "Jours en attente", "État"];
  const rows = parc.postes.map((p) => {
    const reported = p.reported_at !== null;
    const version = reported ? `${p.app_version} (base v${p.schema_version})` : "pas encore de rapport";
    const backup = p.last_backup_at
      ? `${whenText(p.last_backup_at)} (${ageText(p.backup_age_hours)})`
      : "aucune connue";
    const integrity = p.last_integrity_check_at
      ? `${p.integrity_ok ? "intègre" : "problème"} le ${whenText(p.last_integrity_check_at)}`
      : "jamais vérifiée";
    const etat = p.alertes.length === 0
      ? el("td", { class: "ok" }, "OK")
      : el("td", { class: "alerte" }, ...p.alertes.map((a) => el("div", {}, `⚠ ${a.message}`)));
    const cells = [p.departement, p.mmg_name, p.device_id.slice(0, 8), p.canal, version,
      whenText(p.last_seen_at), backup, integrity,
      p.pending_days === null ? "—" : nombre.format(p.pending_days)];
    // The count of days waiting is the only number: right-aligned.
    return el("tr", { class: p.alertes.length ? "signale" : "", "data-poste": p.device_id },
      ...cells.map((c, i) => el("td", i === 8 ? { class: "nombre" } : {}, String(c))), etat);
  });
  const table = el("table", { id: "table-sante" },
    el("thead", {}, el("tr", {}, ...headers.map((h, i) => el("th", i === 8 ? { scope: "col", class: "nombre" } : { scope: "col" }, h)))),
    el("tbody", {}, ...rows));
  target.replaceChildren(table);
}
