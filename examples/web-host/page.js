// The administrator's page: plain JavaScript over the import API (`api/...`). Every sentence
// comes from `api/texts`; values from the server are put in the page as text, never as HTML.
"use strict";

const state = {
  language: "en",
  texts: {},
  file: null,
  importId: newId(),
  watching: null,
  confirmed: null,
  perPage: 20,
  timer: null,
  courses: [],
  groups: [],
};

const $ = (id) => document.getElementById(id);

function newId() {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return "import-" + Date.now().toString(36) + "-" + random[0].toString(36) + random[1].toString(36);
}

// ---------------------------------------------------------------------------------------------
// Texts: `{name}` and `{count, plural, one {…} other {…}}`, as the crate's catalogue writes them.

function t(key, args) {
  const text = state.texts[key];
  return text === undefined ? key : fill(text, args || {});
}

function fill(text, args) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, open);
    const close = matching(text, open);
    if (close < 0) {
      out += text.slice(open);
      break;
    }
    out += placeholder(text.slice(open + 1, close), args);
    i = close + 1;
  }
  return out;
}

function matching(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function placeholder(inner, args) {
  const plural = /^\s*(\w+)\s*,\s*plural\s*,([\s\S]*)$/.exec(inner);
  if (!plural) {
    const name = inner.trim();
    return name in args ? String(args[name]) : "{" + inner + "}";
  }
  const count = Number(args[plural[1]]);
  const forms = {};
  let rest = plural[2];
  for (;;) {
    const head = /^\s*(=?\w+)\s*\{/.exec(rest);
    if (!head) break;
    const start = head[0].length - 1;
    const end = matching(rest, start);
    if (end < 0) break;
    forms[head[1]] = rest.slice(start + 1, end);
    rest = rest.slice(end + 1);
  }
  const category = new Intl.PluralRules(state.language).select(count);
  const form = forms["=" + count] ?? forms[category] ?? forms.other ?? "";
  return fill(form.replace(/#/g, count.toLocaleString(state.language)), args);
}

function applyTexts() {
  document.documentElement.lang = state.language;
  document.title = t("page.title");
  for (const element of document.querySelectorAll("[data-t]")) {
    element.textContent = t(element.dataset.t);
  }
  for (const element of document.querySelectorAll("[data-placeholder]")) {
    element.placeholder = t(element.dataset.placeholder);
  }
  for (const element of document.querySelectorAll("[data-label]")) {
    element.setAttribute("aria-label", t(element.dataset.label));
  }
  $("language").value = state.language;
  showFile();
}

async function loadTexts() {
  const answer = await api("texts");
  state.language = answer.language;
  state.texts = answer.texts;
  applyTexts();
}

// ---------------------------------------------------------------------------------------------
// The API.

async function api(path, options) {
  const response = await fetch("api/" + path, options);
  const kind = response.headers.get("content-type") || "";
  const body = kind.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body && body.detail ? body.detail : response.statusText);
    error.problem = body;
    throw error;
  }
  return body;
}

function showError(error) {
  const box = $("page-error");
  box.textContent = t("page.error", { detail: error.message });
  box.hidden = false;
}

function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

// ---------------------------------------------------------------------------------------------
// Step 2: the location finder.

let searchSerial = 0;

async function searchLocations() {
  const query = $("location-query").value.trim();
  const serial = ++searchSerial;
  const table = $("location-table");
  const body = table.tBodies[0];
  if (!query) {
    table.hidden = true;
    $("location-status").textContent = "";
    return;
  }
  const found = await api("locations?q=" + encodeURIComponent(query));
  if (serial !== searchSerial) return;
  clear(body);
  $("location-status").textContent = found.length ? "" : t("page.locations_none", { query });
  table.hidden = found.length === 0;
  for (const location of found) {
    const row = body.insertRow();
    const code = cell(row, location.code, "code");
    code.translate = false;
    cell(row, location.name);
    cell(row, location.type);
    cell(row, location.country);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary small copy";
    button.textContent = t("page.copy");
    button.setAttribute("aria-label", t("page.copy_label", { code: location.code }));
    button.dataset.code = location.code;
    button.addEventListener("click", () => copyCode(location.code, button));
    cell(row, "").appendChild(button);
  }
}

async function copyCode(code, button) {
  try {
    await navigator.clipboard.writeText(code);
  } catch (_) {
    // Without clipboard access (an insecure origin), select the code for Ctrl+C instead.
    const range = document.createRange();
    range.selectNodeContents(button.closest("tr").cells[0]);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand && document.execCommand("copy");
  }
  button.textContent = t("page.copied", { code });
  button.classList.add("done");
  $("copy-status").textContent = t("page.copied", { code });
  setTimeout(() => {
    button.textContent = t("page.copy");
    button.classList.remove("done");
  }, 2000);
}

// ---------------------------------------------------------------------------------------------
// Step 3: groups.

async function loadGroups() {
  const groups = await api("groups");
  state.groups = groups;
  const list = $("group-list");
  const checked = new Set([...list.querySelectorAll("input:checked")].map((box) => box.value));
  clear(list);
  if (groups.length === 0) {
    const none = document.createElement("p");
    none.className = "help";
    none.textContent = t("page.no_groups");
    list.appendChild(none);
  }
  for (const group of groups) {
    const item = choice("group-" + group.id, group.name, group.name);
    item.querySelector("input").checked = checked.has(group.name);
    list.appendChild(item);
  }
}

function choice(id, value, text) {
  const label = document.createElement("label");
  label.className = "choice";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = id;
  box.value = value;
  label.appendChild(box);
  label.appendChild(document.createTextNode(" " + text));
  return label;
}

// ---------------------------------------------------------------------------------------------
// Step 4: the file, dropped or chosen.

function size(bytes) {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : 1;
  return value.toLocaleString(state.language, { maximumFractionDigits: digits }) + " " + units[unit];
}

function showFile() {
  const status = $("file-status");
  if (!status) return;
  status.textContent = state.file
    ? t("page.selected", { name: state.file.name, size: size(state.file.size) })
    : t("page.no_file");
  $("drop-zone").classList.toggle("has-file", Boolean(state.file));
}

function chooseFile(file) {
  state.file = file || null;
  $("import-status").textContent = "";
  showFile();
}

function setUpDropZone() {
  const zone = $("drop-zone");
  const input = $("file-input");
  zone.addEventListener("click", () => input.click());
  input.addEventListener("change", () => chooseFile(input.files[0]));
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) chooseFile(file);
  });
}

// ---------------------------------------------------------------------------------------------
// Step 5: import.

async function submit() {
  const status = $("import-status");
  if (!state.file) {
    status.textContent = t("page.need_file");
    $("drop-zone").focus();
    return;
  }
  const button = $("import-button");
  const form = new FormData();
  form.append("id", state.importId);
  for (const box of document.querySelectorAll("#group-list input:checked")) {
    form.append("groups", box.value);
  }
  form.append("message", $("message").value);
  form.append("notes", $("notes").value);
  form.append("file", state.file, state.file.name);
  const name = state.file.name;
  button.disabled = true;
  status.textContent = t("page.sending", { name });
  try {
    const answer = await api("imports", { method: "POST", body: form });
    state.watching = { id: answer.id, name };
    state.confirmed = null;
    status.textContent = t("page.submitted", { name });
    clear($("confirmation"));
    $("confirmation").className = "";
    // The next upload is a new import.
    state.importId = newId();
    state.file = null;
    $("file-input").value = "";
    showFile();
    await refreshIndex();
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("bad");
    setTimeout(() => status.classList.remove("bad"), 4000);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// The index, polled while imports are under way.

function statusBadge(record) {
  const badge = document.createElement("span");
  badge.className = "badge " + record.status;
  badge.textContent = record.status_text;
  badge.dataset.status = record.status;
  return badge;
}

function progressOf(record) {
  const box = document.createElement("div");
  const progress = record.progress;
  if (record.status === "running" && progress) {
    const bar = document.createElement("progress");
    if (progress.total) {
      bar.max = progress.total;
      bar.value = Math.min(progress.done, progress.total);
    }
    box.appendChild(bar);
    const phase = document.createElement("span");
    phase.className = "phase";
    const number = (n) => Number(n).toLocaleString(state.language);
    phase.textContent = progress.total
      ? t("page.progress_count", {
          phase: t("phase." + progress.phase),
          done: number(progress.done),
          total: number(progress.total),
        })
      : t("phase." + progress.phase);
    box.appendChild(phase);
  } else if (record.status === "running") {
    const bar = document.createElement("progress");
    box.appendChild(bar);
  } else if (record.status === "completed" || record.status === "failed") {
    box.textContent = t("phase.done");
  } else {
    box.textContent = "–";
  }
  return box;
}

function summaryLink(id) {
  const link = document.createElement("a");
  link.href = "#/imports/" + encodeURIComponent(id);
  link.textContent = t("page.view");
  return link;
}

async function refreshIndex() {
  let page;
  try {
    page = await api("imports?per_page=" + state.perPage);
  } catch (error) {
    showError(error);
    return;
  }
  const body = $("index-table").tBodies[0];
  clear(body);
  for (const record of page.imports) {
    const row = body.insertRow();
    row.dataset.id = record.id;
    // The file's name opens the import's summary.
    const open = summaryLink(record.id);
    open.textContent = record.file_name;
    open.title = t("page.view");
    cell(row, "", "file").appendChild(open);
    cell(row, record.uploaded_by);
    cell(row, new Date(record.created_at).toLocaleString(state.language), "date");
    cell(row, "").appendChild(statusBadge(record));
    cell(row, "").appendChild(progressOf(record));
    cell(row, record.counts ? record.counts.created.toLocaleString(state.language) : "–", "number");
    cell(row, record.counts ? record.counts.failed_rows.toLocaleString(state.language) : "–", "number");
  }
  $("index-table").hidden = page.imports.length === 0;
  $("index-empty").hidden = page.imports.length > 0;
  $("index-more").hidden = page.next_page === null;
  confirm(page.imports);
  const busy = page.imports.some((r) => r.status === "pending" || r.status === "running");
  schedule(busy ? 700 : 5000);
}

function confirm(imports) {
  if (state.watching) {
    const record = imports.find((r) => r.id === state.watching.id);
    if (record && (record.status === "completed" || record.status === "failed")) {
      state.confirmed = { id: record.id, name: state.watching.name };
      state.watching = null;
      $("import-status").textContent = "";
    }
  }
  if (!state.confirmed) return;
  // Written again on each refresh, so it follows a change of language.
  const record = imports.find((r) => r.id === state.confirmed.id);
  if (!record) return;
  const box = $("confirmation");
  clear(box);
  box.className = "confirmation " + record.status;
  const text = document.createElement("p");
  const counts = record.counts || { created: 0, groups_added: 0, untouched: 0 };
  text.textContent =
    record.status === "completed"
      ? t("page.done", {
          name: state.confirmed.name,
          created: counts.created,
          existing: counts.groups_added + counts.untouched,
        })
      : t("page.failed", { name: state.confirmed.name, reason: record.reason });
  box.appendChild(text);
  const link = summaryLink(record.id);
  link.id = "confirmation-link";
  box.appendChild(link);
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    if (!$("home").hidden) refreshIndex();
  }, ms);
}

// ---------------------------------------------------------------------------------------------
// The summary.

function detail(list, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  if (value instanceof Node) dd.appendChild(value);
  else dd.textContent = value || t("page.none");
  list.appendChild(dt);
  list.appendChild(dd);
}

async function showSummary(id) {
  const record = await api("imports/" + encodeURIComponent(id));
  document.title = t("page.summary") + " – " + record.file_name;
  const details = $("summary-details");
  clear(details);
  detail(details, t("page.file"), record.file_name);
  detail(details, t("page.status"), statusBadge(record));
  detail(details, t("page.uploaded_by"), record.uploaded_by);
  detail(details, t("page.submitted_at"), new Date(record.created_at).toLocaleString(state.language));
  const groupName = (id) => (state.groups.find((g) => g.id === id) || { name: id }).name;
  if ((record.groups || []).length > 0 || record.status === "completed") {
    detail(details, t("page.groups_label"), (record.groups || []).map(groupName).join(", "));
  }
  detail(details, t("page.message_label"), record.message);
  detail(details, t("page.notes_label"), record.notes);
  const finished = record.status === "completed" || record.status === "failed";
  $("summary-not-yet").hidden = finished;
  $("summary-reason").hidden = !record.reason;
  $("summary-reason").textContent = record.reason || "";
  const counts = $("summary-counts");
  clear(counts);
  if (record.counts) {
    for (const [key, text] of [
      ["rows", "page.rows"],
      ["created", "page.count_created"],
      ["groups_added", "page.count_groups_added"],
      ["untouched", "page.count_untouched"],
      ["failed_rows", "page.count_failed_rows"],
    ]) {
      const box = document.createElement("div");
      box.className = "count " + key + (record.counts[key] > 0 ? " nonzero" : "");
      box.dataset.count = key;
      const number = document.createElement("strong");
      number.textContent = record.counts[key].toLocaleString(state.language);
      const label = document.createElement("span");
      label.textContent = t(text);
      box.appendChild(number);
      box.appendChild(label);
      counts.appendChild(box);
    }
  }
  const summary = record.summary;
  const invitations = summary && summary.invitations;
  $("summary-invitations").hidden = !(record.status === "completed" && invitations);
  if (invitations) {
    $("invitation-line").textContent = t("page.invitations", invitations);
    $("resend-button").hidden = invitations.failed + invitations.pending === 0;
  }
  $("resend-status").textContent = "";
  showIssues(record);
  await showEnroll(record);
}

function showIssues(record) {
  const issues = record.issues || [];
  const body = $("issues-table").tBodies[0];
  clear(body);
  for (const issue of issues) {
    const row = body.insertRow();
    cell(row, issue.row === null ? "–" : String(issue.row), "number");
    cell(row, issue.column || "–");
    cell(row, issue.value === null ? "" : issue.value, "value");
    cell(row, issue.message);
    row.className = "issue-" + issue.severity;
  }
  $("issues-table").hidden = issues.length === 0;
  $("issues-none").hidden = issues.length > 0 || !record.summary;
  const total = record.issue_count || 0;
  $("issues-cut").hidden = total <= issues.length;
  $("issues-cut").textContent = t("page.issues_cut", { shown: issues.length, total });
  $("report-box").hidden = issues.length === 0;
  $("report-link").href = "api/imports/" + encodeURIComponent(record.id) + "/report";
}

async function showEnroll(record) {
  const section = $("enroll-section");
  const created = record.counts ? record.counts.created : 0;
  section.hidden = !(record.status === "completed" && created > 0);
  $("enroll-status").textContent = "";
  section.dataset.id = record.id;
  if (section.hidden) return;
  state.courses = await api("courses");
  const list = $("course-list");
  clear(list);
  if (state.courses.length === 0) {
    const label = document.createElement("label");
    label.htmlFor = "course-ids";
    label.textContent = t("page.course_ids");
    const input = document.createElement("input");
    input.id = "course-ids";
    list.appendChild(label);
    list.appendChild(input);
  }
  for (const course of state.courses) {
    list.appendChild(choice("course-" + course.id, course.id, course.name));
  }
}

async function enroll() {
  const section = $("enroll-section");
  const status = $("enroll-status");
  let courses = [...document.querySelectorAll("#course-list input:checked")].map((b) => b.value);
  const typed = $("course-ids");
  if (typed) courses = typed.value.split(",").map((c) => c.trim()).filter(Boolean);
  try {
    const answer = await api("imports/" + encodeURIComponent(section.dataset.id) + "/enroll", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ courses }),
    });
    status.textContent = t("page.enrolled", answer);
    status.classList.remove("bad");
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("bad");
  }
}

async function resend() {
  const id = $("enroll-section").dataset.id;
  try {
    const counts = await api("imports/" + encodeURIComponent(id) + "/resend", { method: "POST" });
    $("resend-status").textContent = t("page.invitations", counts);
  } catch (error) {
    $("resend-status").textContent = error.message;
  }
}

// ---------------------------------------------------------------------------------------------
// Views: `#/` the page, `#/imports/ID` a summary.

async function route() {
  $("page-error").hidden = true;
  const match = /^#\/imports\/(.+)$/.exec(location.hash);
  $("home").hidden = Boolean(match);
  $("summary-view").hidden = !match;
  try {
    if (match) {
      clearTimeout(state.timer);
      await showSummary(decodeURIComponent(match[1]));
      $("summary-title").focus();
    } else {
      document.title = t("page.title");
      await refreshIndex();
    }
  } catch (error) {
    showError(error);
  }
}

async function switchLanguage() {
  const language = $("language").value;
  document.cookie = "lang=" + language + "; path=/; max-age=31536000; samesite=lax";
  try {
    await loadTexts();
    await Promise.all([loadGroups(), searchLocations()]);
    await route();
  } catch (error) {
    showError(error);
  }
}

async function start() {
  $("summary-title").tabIndex = -1;
  setUpDropZone();
  $("language").addEventListener("change", switchLanguage);
  $("location-query").addEventListener("input", () => searchLocations().catch(showError));
  $("import-button").addEventListener("click", submit);
  $("enroll-button").addEventListener("click", enroll);
  $("resend-button").addEventListener("click", resend);
  $("index-more").addEventListener("click", () => {
    state.perPage += 20;
    refreshIndex();
  });
  $("back-link").addEventListener("click", (event) => {
    event.preventDefault();
    location.hash = "#/";
  });
  window.addEventListener("hashchange", route);
  try {
    await loadTexts();
    await loadGroups();
    await route();
  } catch (error) {
    showError(error);
  }
  document.body.dataset.ready = "true";
}

start();
