// Appligarde hub dashboard. Plain JavaScript, no dependency: logs in with POST /api/v1/login,
// reads GET /api/v1/me and GET /api/v1/stats/monthly, draws SVG charts and tables, exports CSV.
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

const state = { token: sessionStorage.getItem("appligarde-hub-token"), me: null, stats: null };

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

function logout() {
  state.token = null;
  state.me = null;
  state.stats = null;
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
}

// ---- Filters -----------------------------------------------------------------------------

function fillFilters() {
  const select = $("departement");
  select.replaceChildren(...state.me.departements.map((d) => el("option", { value: d }, `Département ${d}`)));
  const annee = $("annee");
  const now = new Date();
  const years = [];
  for (let y = now.getFullYear(); y >= now.getFullYear() - 9; y -= 1) years.push(y);
  annee.replaceChildren(el("option", { value: "" }, "Personnalisée"),
    ...years.map((y) => el("option", { value: String(y) }, String(y))));
  fillMonths(years);
  const params = new URLSearchParams(location.search);
  const year = params.get("annee") || String(now.getFullYear());
  annee.value = year;
  setYear(year);
  if (params.get("departement") && state.me.departements.includes(params.get("departement"))) {
    select.value = params.get("departement");
  }
  fillMmgs();
}

function setYear(year) {
  if (!year) return;
  $("du").value = `${year}-01`;
  $("au").value = `${year}-12`;
}

/** The month pickers: every month of the ten years offered, in French. */
function fillMonths(years) {
  const months = [];
  for (const y of [...years].sort()) {
    for (let m = 1; m <= 12; m += 1) months.push(`${y}-${String(m).padStart(2, "0")}`);
  }
  for (const id of ["du", "au"]) {
    $(id).replaceChildren(...months.map((m) => el("option", { value: m }, monthLabel(m))));
  }
}

function fillMmgs() {
  const departement = $("departement").value;
  const mmgs = state.me.mmgs.filter((m) => m.departement === departement);
  $("liste-mmg").replaceChildren(...mmgs.map((m) => {
    const box = el("input", { type: "checkbox", value: m.id, id: `mmg-${m.id}` });
    box.checked = true;
    return el("label", { for: `mmg-${m.id}` }, box, ` ${m.name}`);
  }));
}

function selectedMmgs() {
  return new Set([...document.querySelectorAll("#liste-mmg input:checked")].map((b) => b.value));
}

async function refresh(event) {
  if (event) event.preventDefault();
  const erreur = $("erreur-tableau");
  erreur.hidden = true;
  const du = $("du").value;
  const au = $("au").value;
  if (!du || !au || au < du) {
    erreur.textContent = "Choisissez une période : le mois de fin doit suivre le mois de début.";
    erreur.hidden = false;
    return;
  }
  $("etat").textContent = "Chargement…";
  try {
    const departement = $("departement").value;
    const query = new URLSearchParams({ departement, from: du, to: au });
    state.stats = await api(`/api/v1/stats/monthly?${query}`);
    render();
  } catch (error) {
    $("etat").textContent = "";
    if (error.status === 401) { logout(); return; }
    erreur.textContent = error.message;
    erreur.hidden = false;
  }
}

// ---- Figures -----------------------------------------------------------------------------

function emptyTotals() {
  return {
    days: 0, consultations: 0, bySlot: {}, byWeekday: new Array(7).fill(0),
    byHour: new Array(24).fill(0), arrival: {}, age: {}, sex: {}, orientation: {},
    homeVisits: 0, chapters: {}, communes: {}, waiting: new Array(12).fill(0),
    length: new Array(12).fill(0), returns72h: 0, amounts: {}, byMonth: {},
  };
}

function addMap(target, source) {
  for (const [k, v] of Object.entries(source || {})) target[k] = (target[k] || 0) + v;
}

function addArray(target, source) {
  (source || []).forEach((v, i) => { target[i] += v; });
}

function addMonth(t, month) {
  const c = month.counts;
  t.days += month.days;
  t.consultations += c.consultations || 0;
  addMap(t.bySlot, month.by_slot);
  addArray(t.byWeekday, month.by_weekday);
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
  t.byMonth[month.month] = (t.byMonth[month.month] || 0) + (c.consultations || 0);
}

function regulated(t) {
  return (t.arrival.regule_centre15 || 0) + (t.arrival.regule_116117 || 0) + (t.arrival.regule_sas || 0);
}

function share(part, whole) {
  return whole > 0 ? (100 * part) / whole : null;
}

/** The bucket bound under which `q` of the durations fall ("≤ 15 min"), or null. */
function quantile(histogram, q) {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    seen += histogram[i];
    if (seen >= q * total) return i < BUCKET_BOUNDS.length ? `≤ ${BUCKET_BOUNDS[i]} min` : "> 240 min";
  }
  return null;
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

function monthLabel(month) {
  const [y, m] = month.split("-");
  return `${MONTHS[Number(m) - 1]} ${y}`;
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
    for (const month of mmg.months) { addMonth(t, month); addMonth(total, month); }
    return { id: mmg.mmg_id, name: mmg.mmg_name, totals: t };
  });
  return { total, perMmg };
}

// ---- Charts ------------------------------------------------------------------------------

/** A bar chart: vertical when there are many short labels, horizontal otherwise. */
function barChart(rows, { horizontal = false, format = (v) => nombre.format(v) } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  if (horizontal) {
    const labelWidth = 175;
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
  const table = dataTable(
    showShare ? ["", "Nombre", "Part"] : ["", "Valeur"],
    rows.map((r) => (showShare ? [r.label, format(r.value), percentText(share(r.value, total))] : [r.label, format(r.value)])),
  );
  return el("section", { class: "carte graphique" },
    el("h2", {}, title),
    el("p", { class: "definition" }, definition),
    barChart(rows, options),
    el("details", {}, el("summary", {}, "Voir le tableau"), table));
}

function topEntries(map, n) {
  return Object.entries(map).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n)
    .map(([label, value]) => ({ label, value }));
}

function render() {
  const { total, perMmg } = computeFigures();
  const months = monthsOfPeriod(state.stats.from, state.stats.to);
  $("etat").textContent = `Département ${state.stats.departement}, de ${monthLabel(state.stats.from)} à ${monthLabel(state.stats.to)} : ${perMmg.length} MMG sélectionnée(s).`;

  const c = total.consultations;
  const amount = Object.values(total.amounts).reduce((a, b) => a + b, 0) / 100;
  const kpis = [
    ["Consultations", nombre.format(c)],
    ["Par jour d'ouverture", total.days ? decimal1.format(c / total.days) : "—"],
    ["Patients régulés (15, 116 117, SAS)", percentText(share(regulated(total), c))],
    ["Orientés urgences ou hospitalisés", percentText(share((total.orientation.urgences || 0) + (total.orientation.hospitalisation || 0), c))],
    ["Visites à domicile", nombre.format(total.homeVisits)],
    ["Attente médiane", quantile(total.waiting, 0.5) || "—"],
    ["Attente, 90e centile", quantile(total.waiting, 0.9) || "—"],
    ["Retours sous 72 h", percentText(share(total.returns72h, c))],
    ["Montants encaissés", euros.format(amount)],
  ];
  $("indicateurs").replaceChildren(...kpis.map(([label, value]) => el("div", { class: "indicateur" },
    el("div", { class: "valeur" }, value), el("div", { class: "libelle" }, label))));

  const pairs = (list, map) => list.map(([key, label]) => ({ label, value: map[key] || 0 }));
  const charts = [
    chartCard("Consultations par mois", "Nombre de consultations de chaque mois de la période, toutes MMG sélectionnées.",
      months.map((m) => ({ label: shortMonthLabel(m, months.length > 12), value: total.byMonth[m] || 0 }))),
    chartCard("Par créneau de permanence", "Consultations selon la période PDSA où le patient est arrivé.",
      pairs(SLOTS, total.bySlot), { horizontal: true }),
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
    chartCard("Communes de résidence", "Code INSEE de la commune des patients (10 premières).",
      topEntries(total.communes, 10), { horizontal: true }),
    chartCard("Temps d'attente", "Minutes entre l'arrivée et le début de la consultation.",
      total.waiting.map((value, i) => ({ label: i < BUCKET_BOUNDS.length ? `≤${BUCKET_BOUNDS[i]}` : ">240", value }))),
    chartCard("Montants par mode de paiement", "Sommes encaissées, en euros.",
      PAYMENTS.map(([key, label]) => ({ label, value: (total.amounts[key] || 0) / 100 })),
      { horizontal: true, format: (v) => euros.format(v) }),
    chartCard("Consultations par MMG", "Comparaison des MMG sélectionnées sur la période.",
      perMmg.map((m) => ({ label: m.name, value: m.totals.consultations })), { horizontal: true }),
  ];
  $("graphiques").replaceChildren(...charts);
  $("comparaison").replaceChildren(comparisonTable(perMmg, total));
}

const COMPARISON_HEADERS = ["MMG", "Consultations", "Jours d'ouverture", "Par jour", "Régulés (%)",
  "Urgences ou hospitalisation (%)", "Visites à domicile", "Attente médiane", "Retours sous 72 h (%)", "Montants (€)"];

function comparisonRow(name, t) {
  const c = t.consultations;
  return [
    name, c, t.days, t.days ? c / t.days : null, share(regulated(t), c),
    share((t.orientation.urgences || 0) + (t.orientation.hospitalisation || 0), c),
    t.homeVisits, quantile(t.waiting, 0.5), share(t.returns72h, c),
    Object.values(t.amounts).reduce((a, b) => a + b, 0) / 100,
  ];
}

function comparisonTable(perMmg, total) {
  const show = (row) => row.map((v, i) => {
    if (v === null) return "—";
    if (typeof v !== "number") return v;
    return [3, 4, 5, 8].includes(i) ? decimal1.format(v) : nombre.format(Math.round(v));
  });
  return dataTable(COMPARISON_HEADERS, perMmg.map((m) => show(comparisonRow(m.name, m.totals))),
    show(comparisonRow("Ensemble", total)));
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
  const { total, perMmg } = computeFigures();
  const months = monthsOfPeriod(state.stats.from, state.stats.to);
  const lines = [];
  lines.push(["Département", state.stats.departement, "Du", state.stats.from, "Au", state.stats.to]);
  lines.push([]);
  lines.push(COMPARISON_HEADERS);
  for (const m of perMmg) lines.push(comparisonRow(m.name, m.totals));
  lines.push(comparisonRow("Ensemble", total));
  lines.push([]);
  lines.push(["Consultations par mois", ...months.map(monthLabel)]);
  for (const m of perMmg) lines.push([m.name, ...months.map((mo) => m.totals.byMonth[mo] || 0)]);
  const text = "\uFEFF" + lines.map((l) => l.map(csvCell).join(";")).join("\r\n") + "\r\n";
  const link = el("a", {
    href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })),
    download: `appligarde-${state.stats.departement}-${state.stats.from}-${state.stats.to}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- Wiring ------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("form-connexion").addEventListener("submit", login);
  $("deconnexion").addEventListener("click", logout);
  $("filtres").addEventListener("submit", refresh);
  $("departement").addEventListener("change", () => { fillMmgs(); refresh(); });
  $("annee").addEventListener("change", (e) => { setYear(e.target.value); refresh(); });
  $("du").addEventListener("change", () => { $("annee").value = ""; });
  $("au").addEventListener("change", () => { $("annee").value = ""; });
  $("liste-mmg").addEventListener("change", () => { if (state.stats) render(); });
  $("export").addEventListener("click", exportCsv);
  if (state.token) start().catch(() => logout()); else $("login").focus();
});
