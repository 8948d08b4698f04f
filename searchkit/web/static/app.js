// searchkit's search page: plain JavaScript over the JSON API, no build step, nothing
// fetched from elsewhere. The state lives in the URL (?q=&person=&not_org=&doc=&who=...),
// so back, forward, reload and a pasted link all show the same thing.
// Article text is never parsed as HTML: snippets and bodies become text nodes around
// <mark> elements built here, so an article holding <script> shows as text.
"use strict";

const FIELDS = ["person", "org", "place", "actor", "published", "mentioned"];
const SIDE_FACETS = ["person", "org", "place", "published", "mentioned"];
const FACET_LABELS = { person: "Personnes", org: "Organisations", place: "Lieux", actor: "Acteurs", published: "Mois de publication", mentioned: "Dates citées" };
const CHIP_LABELS = { person: "personne", org: "organisation", place: "lieu", actor: "acteur", published: "publié", mentioned: "cite" };
const KIND_LABELS = { person: "personne", org: "organisation", place: "lieu" };
const MODE_LABELS = { hybrid: "hybride : mots et sens", lexical: "mots", semantic: "sens" };
const SEARCH_KEYS = ["q", "mode", "sort", "offset", ...FIELDS, ...FIELDS.map((f) => "not_" + f)];
const VIEW_KEYS = ["doc", "who", "similar"];

let renderSeq = 0; // a slower, older answer must not overwrite a newer one

// -- small helpers -------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// "a <mark>b</mark> c" -> text, <mark>, text: the marks are ours, the rest stays text.
function marked(snippet) {
  const out = document.createDocumentFragment();
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  let m;
  while ((m = re.exec(snippet)) !== null) {
    out.append(document.createTextNode(snippet.slice(last, m.index)), el("mark", { text: m[1] }));
    last = re.lastIndex;
  }
  out.append(document.createTextNode(snippet.slice(last)));
  return out;
}

function plural(n, one, many) {
  return `${n.toLocaleString("fr-FR")} ${n === 1 ? one : many}`;
}

function current() {
  return new URLSearchParams(location.search);
}

function only(params, keys) {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (keys.includes(k) && v !== "") out.append(k, v);
  return out;
}

function href(params) {
  const qs = params.toString();
  return qs ? "/?" + qs : "/";
}

function go(params, replace) {
  history[replace ? "replaceState" : "pushState"](null, "", href(params));
  render();
}

function navLink(params, text, attrs) {
  return el("a", { href: href(params), "data-nav": "", ...(attrs || {}) }, text);
}

async function api(path, params) {
  const qs = params && params.toString();
  const response = await fetch(path + (qs ? "?" + qs : ""), { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const body = await response.json().catch(() => ({ error: `réponse illisible (${response.status})` }));
  if (!response.ok) {
    const err = new Error(body.error || `erreur ${response.status}`);
    err.hint = body.hint;
    throw err;
  }
  return body;
}

function setStatus(text) {
  document.getElementById("status").textContent = text;
}

function showError(err) {
  const box = document.getElementById("error");
  box.replaceChildren(el("strong", { text: err.message }), err.hint ? el("span", { class: "hint", text: " — " + err.hint }) : null);
  box.hidden = false;
  setStatus("");
}

function clearError() {
  document.getElementById("error").hidden = true;
}

// -- search ----------------------------------------------------------------------------

function searchParams(p) {
  return only(p, SEARCH_KEYS);
}

function filterChips(p) {
  const chips = [];
  for (const [key, value] of p) {
    const excluded = key.startsWith("not_");
    const field = excluded ? key.slice(4) : key;
    if (!FIELDS.includes(field) || !value) continue;
    const label = `${excluded ? "sauf " : ""}${CHIP_LABELS[field]} : ${value}`;
    const remove = () => removeValue(p, key, value);
    chips.push(el("span", { class: "chip" + (excluded ? " excluded" : ""), "data-chip": key, "data-value": value }, label,
      el("button", { type: "button", class: "remove", "aria-label": `Retirer le filtre ${label}`, title: "Retirer", onclick: remove, text: "×" })));
  }
  return chips.length ? el("div", { class: "chips", "aria-label": "Filtres actifs" }, chips) : null;
}

function addFilter(p, key, value, replace) {
  const next = searchParams(p);
  if (replace) next.delete(key);
  if (!next.getAll(key).includes(value)) next.append(key, value);
  next.delete("offset");
  go(next);
}

function actorButton(actor) {
  return navLink(new URLSearchParams({ who: actor.name }), actor.name, { class: "actor " + actor.kind, title: KIND_LABELS[actor.kind] || actor.kind });
}

function hitNode(hit, p, rank) {
  const docParams = new URLSearchParams({ doc: hit.id });
  if (p.get("q")) docParams.set("q", p.get("q"));
  const meta = [el("span", { class: "date", text: hit.published || "non daté" })];
  if (hit.duplicates.length) meta.push(el("span", { class: "dups", text: plural(hit.duplicates.length, "copie regroupée", "copies regroupées") }));
  meta.push(navLink(new URLSearchParams({ similar: hit.id }), "Articles semblables", { class: "similar-link" }));
  return el("article", { class: "hit", "data-id": hit.id },
    el("h2", {}, rank ? el("span", { class: "rank", text: rank + "." }) : null, navLink(docParams, hit.title || hit.id, { class: "title" })),
    el("div", { class: "meta" }, meta),
    hit.snippets.map((s) => el("p", { class: "snippet" }, marked(s))),
    hit.actors.length ? el("div", { class: "actors" }, hit.actors.slice(0, 10).map(actorButton)) : null);
}

function histogram(tl, p) {
  if (!tl.periods.length) return null;
  const max = Math.max(1, ...tl.periods.map((x) => x.count));
  const active = p.getAll("published");
  const bars = tl.periods.map((x) => {
    const label = `${x.period} : ${plural(x.count, "article", "articles")}`;
    const bar = el("button", { type: "button", class: "bar" + (active.includes(x.period) ? " active" : ""), "data-period": x.period, title: label, "aria-label": `${label}, filtrer sur ce mois`, disabled: x.count === 0,
      onclick: () => addFilter(p, "published", x.period, true) }, el("span", { class: "fill" }));
    bar.firstChild.style.height = `${Math.max(x.count ? 4 : 0, (100 * x.count) / max)}%`; // CSSOM: allowed by the CSP
    return bar;
  });
  const first = tl.periods[0].period;
  const last = tl.periods[tl.periods.length - 1].period;
  return el("figure", { class: "timeline" },
    el("div", { class: "bars", role: "group", "aria-label": "Articles par mois ; un clic filtre sur le mois" }, bars),
    el("figcaption", {}, el("span", { text: first }), el("span", { text: tl.undated ? `${plural(tl.undated, "article non daté", "articles non datés")}` : "" }), el("span", { text: last })));
}

function facetList(field, values, p) {
  const included = p.getAll(field);
  const excluded = p.getAll("not_" + field);
  const items = values.map((v) => {
    const on = included.includes(v.value);
    const off = excluded.includes(v.value);
    const title = [v.variants.length ? `aussi écrit : ${v.variants.join(", ")}` : "", v.because || ""].filter(Boolean).join("\n") || undefined;
    return el("li", {},
      el("button", { type: "button", class: "facet", "data-facet": field, "data-value": v.value, "aria-pressed": on ? "true" : "false", title,
        onclick: () => (on ? removeValue(p, field, v.value) : addFilter(p, field, v.value)) },
        el("span", { class: "value", text: v.value }), el("span", { class: "count", text: v.count.toLocaleString("fr-FR") })),
      el("button", { type: "button", class: "exclude", "data-exclude": field, "data-value": v.value, "aria-pressed": off ? "true" : "false",
        "aria-label": `Exclure ${v.value}`, title: "Exclure", text: "−", onclick: () => (off ? removeValue(p, "not_" + field, v.value) : addFilter(p, "not_" + field, v.value)) }));
  });
  return el("section", { class: "facet-field", "data-field": field }, el("h3", { text: FACET_LABELS[field] }), el("ul", {}, items));
}

function removeValue(p, key, value) {
  const next = searchParams(p);
  const kept = next.getAll(key).filter((v) => v !== value);
  next.delete(key);
  kept.forEach((v) => next.append(key, v));
  next.delete("offset");
  go(next);
}

function exportLinks(p) {
  const base = only(p, SEARCH_KEYS.filter((k) => k !== "offset"));
  const link = (fmt, text) => {
    const params = new URLSearchParams(base);
    params.set("format", fmt);
    return el("a", { class: "export", href: "/api/export?" + params.toString(), download: `searchkit.${fmt}`, "data-format": fmt, text });
  };
  return el("span", { class: "exports" }, "Exporter tous les résultats : ", link("csv", "CSV"), " · ", link("jsonl", "JSONL"));
}

function pager(res, p) {
  const limit = res.hits.length ? Math.max(res.hits.length, 10) : 10;
  const offset = res.offset || 0;
  const move = (to) => {
    const next = searchParams(p);
    if (to) next.set("offset", to); else next.delete("offset");
    go(next);
    document.getElementById("view").focus();
  };
  const prev = offset > 0 ? el("button", { type: "button", id: "prev-page", onclick: () => move(Math.max(0, offset - 10)), text: "← Précédents" }) : null;
  const next = res.next ? el("button", { type: "button", id: "next-page", onclick: () => move(offset + limit), text: "Suivants →" }) : null;
  return prev || next ? el("nav", { class: "pager", "aria-label": "Pages" }, prev, next) : null;
}

async function renderSearch(p, seq) {
  const sp = searchParams(p);
  const tlParams = only(p, ["q", ...FIELDS, ...FIELDS.map((f) => "not_" + f)]);
  setStatus("Recherche…");
  const [res, tl] = await Promise.all([api("/api/search", sp), api("/api/timeline", tlParams)]);
  if (seq !== renderSeq) return;
  document.title = p.get("q") ? `${p.get("q")} — searchkit` : "searchkit";
  const from = (res.offset || 0) + 1;
  const summary = el("p", { class: "summary" },
    el("strong", { id: "total", "data-total": res.total, text: plural(res.total, "article", "articles") }),
    res.hits.length ? ` (${from}–${from + res.hits.length - 1})` : "",
    ` · ${MODE_LABELS[res.mode] || res.mode} · ${Math.round(res.took_ms)} ms · `, res.total ? exportLinks(p) : null);
  const notes = res.notices.map((n) => el("p", { class: "notice", text: "Note : " + n }));
  let suggestion = null;
  if (res.suggestion) {
    const sug = searchParams(p);
    sug.set("q", res.suggestion);
    sug.delete("offset");
    suggestion = el("p", { class: "suggestion" }, "Vouliez-vous dire ", navLink(sug, res.suggestion), " ?");
  }
  const hits = res.hits.map((h, i) => hitNode(h, p, from + i));
  const related = res.related.length
    ? el("section", { class: "related", id: "related" }, el("h2", { text: "Liés par le sens" }),
      el("p", { class: "note", text: "Ces articles ne contiennent pas les mots cherchés ; ils en sont proches par le sens et ne sont pas comptés." }),
      res.related.map((h) => hitNode(h, p, 0)))
    : null;
  const empty = !res.hits.length ? el("p", { class: "empty", text: res.total ? "Plus de résultats sur cette page." : "Aucun article ne contient ces mots avec ces filtres." }) : null;
  document.getElementById("view").replaceChildren(filterChips(p) || "", summary, ...notes, suggestion || "", histogram(tl, p) || "",
    el("div", { id: "hits" }, hits), empty || "", related || "", pager(res, p) || "");
  document.getElementById("side").replaceChildren(...SIDE_FACETS.filter((f) => res.facets[f] && res.facets[f].length).map((f) => facetList(f, res.facets[f], p)));
  setStatus(`${plural(res.total, "article trouvé", "articles trouvés")}`);
}

// -- one article ---------------------------------------------------------------------

function bodyWithMarks(body, spans) {
  const out = document.createDocumentFragment();
  let pos = 0;
  spans.forEach(([start, end], i) => {
    if (start < pos) return; // overlapping ranges: the first one wins
    out.append(document.createTextNode(body.slice(pos, start)), el("mark", { class: "match", id: `m${i}`, "data-i": i, text: body.slice(start, end) }));
    pos = end;
  });
  out.append(document.createTextNode(body.slice(pos)));
  return out;
}

function matchNavigator(count) {
  let at = -1;
  const pos = el("span", { id: "match-pos", "aria-live": "polite" });
  const show = (i) => {
    const marks = document.querySelectorAll("#doc-body mark.match");
    if (!marks.length) return;
    at = (i + marks.length) % marks.length;
    marks.forEach((m) => m.classList.remove("current"));
    marks[at].classList.add("current");
    marks[at].scrollIntoView({ block: "center", behavior: "instant" });
    pos.textContent = `Occurrence ${at + 1} sur ${marks.length}`;
  };
  if (!count) return { node: el("p", { class: "matchnav", text: "Aucune occurrence de la recherche dans le texte." }), next() {}, prev() {}, first() {} };
  pos.textContent = plural(count, "occurrence", "occurrences");
  const node = el("div", { class: "matchnav" },
    el("button", { type: "button", id: "prev-match", "aria-label": "Occurrence précédente (p)", onclick: () => show(at - 1), text: "◀" }),
    pos,
    el("button", { type: "button", id: "next-match", "aria-label": "Occurrence suivante (n)", onclick: () => show(at + 1), text: "▶" }));
  return { node, next: () => show(at + 1), prev: () => show(at - 1), first: () => show(0) };
}

let keyNav = null; // the open article's match navigator, for the n / p keys

async function renderDocument(p, seq) {
  const id = p.get("doc");
  const q = p.get("q") || "";
  setStatus("Chargement de l'article…");
  const doc = await api(`/api/documents/${encodeURIComponent(id)}`, q ? new URLSearchParams({ q }) : null);
  if (seq !== renderSeq) return;
  document.title = `${doc.title || doc.id} — searchkit`;
  const back = searchParams(p);
  const nav = matchNavigator(doc.spans.length);
  keyNav = nav;
  const kinds = ["person", "org", "place"].map((k) => doc.meta.actors.filter((a) => a.kind === k)).filter((list) => list.length);
  const metaBits = [doc.meta.published ? `publié ${doc.meta.published}` : "non daté", doc.meta.format ? doc.meta.format.toUpperCase() : null, doc.path].filter(Boolean);
  const similar = el("section", { class: "similar", id: "similar" }, el("h2", { text: "Articles semblables" }), el("p", { class: "note", text: "Chargement…" }));
  document.getElementById("view").replaceChildren(
    el("p", {}, navLink(back, "← Retour aux résultats", { id: "back" })),
    el("article", { class: "document", "data-id": doc.id },
      el("h1", { id: "doc-title", tabindex: "-1", text: doc.title || doc.id }),
      el("p", { class: "meta", text: metaBits.join(" · ") }),
      kinds.length ? el("div", { class: "actors" }, kinds.flat().map((a) => actorButton(a))) : null,
      q ? nav.node : null,
      el("div", { id: "doc-body", class: "body" }, bodyWithMarks(doc.body, doc.spans))),
    similar);
  document.getElementById("side").replaceChildren();
  document.getElementById("doc-title").focus();
  if (doc.spans.length) nav.first();
  setStatus(q ? `Article ouvert : ${plural(doc.spans.length, "occurrence", "occurrences")}` : "Article ouvert");
  try {
    const sim = await api(`/api/similar/${encodeURIComponent(id)}`, new URLSearchParams({ limit: "5" }));
    if (seq !== renderSeq) return;
    similar.replaceChildren(el("h2", { text: "Articles semblables" }),
      sim.hits.length ? el("ul", {}, sim.hits.map((h) => el("li", {}, navLink(new URLSearchParams({ doc: h.id }), h.title || h.id), " ", el("span", { class: "date", text: h.published || "" }))))
        : el("p", { class: "note", text: "Aucun article semblable." }));
  } catch (err) {
    similar.replaceChildren(el("h2", { text: "Articles semblables" }), el("p", { class: "note", text: err.message }));
  }
}

// -- an actor --------------------------------------------------------------------------

async function renderActor(p, seq) {
  const name = p.get("who");
  setStatus("Chargement…");
  const [who, assoc] = await Promise.all([api(`/api/actors/${encodeURIComponent(name)}`), api(`/api/with/${encodeURIComponent(name)}`, new URLSearchParams({ top: "25" }))]);
  if (seq !== renderSeq) return;
  const main = who.actors[0];
  const shown = (main && main.name) || name;
  document.title = `${shown} — searchkit`;
  const field = main && who.actors.every((a) => a.kind === main.kind) ? main.kind : "actor";
  const filterParams = new URLSearchParams();
  filterParams.set(field, shown);
  const spellings = [...new Set(who.actors.flatMap((a) => a.variants))];
  const rows = assoc.actors.map((a) => el("tr", {},
    el("td", {}, navLink(new URLSearchParams({ who: a.value }), a.value)),
    el("td", { text: KIND_LABELS[a.kind] || a.kind }),
    el("td", { class: "num", text: a.count.toLocaleString("fr-FR") })));
  document.getElementById("view").replaceChildren(
    el("p", {}, el("a", { href: "#", id: "back", onclick: (e) => { e.preventDefault(); history.back(); }, text: "← Retour" })),
    el("h1", { id: "actor-name", tabindex: "-1", text: shown }),
    el("p", { class: "meta", text: [...new Set(who.actors.map((a) => KIND_LABELS[a.kind] || a.kind))].join(", ") }),
    el("p", {}, el("strong", { text: "Graphies regroupées : " }), spellings.join(" · ") || shown),
    ...who.actors.filter((a) => a.because).map((a) => el("p", { class: "note because", text: "Sigle regroupé : " + a.because })),
    el("p", {}, navLink(filterParams, `Voir les ${plural(assoc.articles, "article", "articles")} qui le citent`, { id: "actor-articles" })),
    el("h2", { text: "Cités avec" }),
    rows.length ? el("table", { class: "assoc" }, el("thead", {}, el("tr", {}, el("th", { text: "Acteur" }), el("th", { text: "Type" }), el("th", { class: "num", text: "Articles communs" }))), el("tbody", {}, rows))
      : el("p", { class: "note", text: "Personne d'autre n'est cité avec cet acteur." }));
  document.getElementById("side").replaceChildren();
  document.getElementById("actor-name").focus();
  setStatus("");
}

async function renderSimilar(p, seq) {
  const id = p.get("similar");
  setStatus("Recherche d'articles semblables…");
  const res = await api(`/api/similar/${encodeURIComponent(id)}`, new URLSearchParams({ limit: "20" }));
  if (seq !== renderSeq) return;
  document.getElementById("view").replaceChildren(
    el("p", {}, el("a", { href: "#", id: "back", onclick: (e) => { e.preventDefault(); history.back(); }, text: "← Retour" })),
    el("h1", { tabindex: "-1", text: "Articles semblables à " }, navLink(new URLSearchParams({ doc: id }), id)),
    el("p", { class: "summary", text: `${plural(res.total, "article", "articles")} · ${MODE_LABELS[res.mode] || res.mode}` }),
    el("div", { id: "hits" }, res.hits.map((h, i) => hitNode(h, new URLSearchParams(), i + 1))));
  document.getElementById("side").replaceChildren();
  setStatus("");
}

// -- wiring ----------------------------------------------------------------------------

function syncForm(p) {
  const form = document.getElementById("search-form");
  form.q.value = p.get("q") || "";
  form.mode.value = p.get("mode") || "";
  form.sort.value = p.get("sort") || "relevance";
}

async function render() {
  const p = current();
  const seq = ++renderSeq;
  keyNav = null;
  syncForm(p);
  clearError();
  try {
    if (p.get("doc")) await renderDocument(p, seq);
    else if (p.get("who")) await renderActor(p, seq);
    else if (p.get("similar")) await renderSimilar(p, seq);
    else await renderSearch(p, seq);
  } catch (err) {
    if (seq === renderSeq) showError(err);
  }
}

function onSubmit(event) {
  event.preventDefault();
  const form = event.target;
  const p = searchParams(current());
  p.delete("offset");
  for (const name of ["q", "mode", "sort"]) {
    const value = form[name].value.trim();
    if (value && !(name === "sort" && value === "relevance")) p.set(name, value); else p.delete(name);
  }
  go(p);
}

function onKey(event) {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    document.getElementById("q").focus();
  } else if (!typing && keyNav && (event.key === "n" || event.key === "p")) {
    event.preventDefault();
    (event.key === "n" ? keyNav.next : keyNav.prev)();
  } else if (event.key === "Escape" && current().get("doc")) {
    go(searchParams(current()));
  }
}

function onClick(event) {
  const link = event.target.closest("a[data-nav]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  history.pushState(null, "", link.getAttribute("href"));
  render();
  window.scrollTo(0, 0);
}

function start() {
  const p = current();
  if (p.has("token")) { // the server left a cookie: keep the token out of shared links
    p.delete("token");
    history.replaceState(null, "", href(p));
  }
  document.getElementById("search-form").addEventListener("submit", onSubmit);
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", render);
  const help = document.getElementById("help-toggle");
  help.addEventListener("click", () => {
    const box = document.getElementById("help");
    box.hidden = !box.hidden;
    help.setAttribute("aria-expanded", String(!box.hidden));
  });
  render();
}

start();
