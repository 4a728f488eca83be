/* INFO.OPT consultant lookup. Search as you type; results are built with textContent and
   createElement only (never innerHTML), so nothing from the knowledge base or the query is parsed as HTML.
   The page's texts come from data-str-* attributes of #consultant (see tool.html). */
(function () {
  "use strict";
  var LANGS = ["pl", "en", "uk", "ru"];
  var DEBOUNCE_MS = 150;
  var COPIED_MS = 2000;

  var root = document.getElementById("consultant");
  if (!root) return;
  var api = root.getAttribute("data-api") || "/consultant/api/search";
  var loginUrl = root.getAttribute("data-login") || "/consultant/login";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var audienceSelect = document.getElementById("filter-audience");
  var topicSelect = document.getElementById("filter-topic");
  var copySelect = document.getElementById("copy-language");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  var timer = null;
  var controller = null;
  var sequence = 0;
  var lastKey = "";

  function str(name, values) {
    var text = root.getAttribute("data-str-" + name) || name;
    if (values) {
      Object.keys(values).forEach(function (key) { text = text.split("{" + key + "}").join(String(values[key])); });
    }
    return text;
  }
  function langName(lang) { return str("lang-" + lang); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function isHttpUrl(value) { return /^https?:\/\//i.test(value || ""); }
  function isEditable(node) {
    if (!node || !node.tagName) return false;
    var tag = node.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || node.isContentEditable;
  }

  /* Answers are light Markdown: **bold**, [text](url) and bare URLs. */
  var RICH = /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s)<>]+)|\*\*([^*]+)\*\*/g;
  function appendRich(parent, text) {
    var last = 0, m;
    RICH.lastIndex = 0;
    while ((m = RICH.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[4] !== undefined) {
        parent.appendChild(el("strong", null, m[4]));
      } else {
        parent.appendChild(link(m[2] || m[3], m[1] || m[3]));
      }
      last = RICH.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function plainText(text) {
    return text.replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, "$1 ($2)").replace(/\*\*([^*]+)\*\*/g, "$1");
  }
  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  /* ---- search ---- */

  function params() {
    return { q: input.value.trim(), audience: audienceSelect.value, topic: topicSelect.value };
  }
  function keyOf(p) { return JSON.stringify([p.q, p.audience, p.topic]); }

  function remember(p) {
    var url = new URL(window.location.href);
    ["q", "audience", "topic"].forEach(function (name) {
      if (p[name]) url.searchParams.set(name, p[name]); else url.searchParams.delete(name);
    });
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  function clearResults() {
    while (list.firstChild) list.removeChild(list.firstChild);
  }

  function schedule() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(run, DEBOUNCE_MS);
  }

  function run(force) {
    timer = null;
    var p = params();
    var key = keyOf(p);
    if (!force && key === lastKey) return;
    lastKey = key;
    remember(p);
    if (controller) controller.abort();
    controller = null;
    if (!p.q) {
      sequence += 1;
      clearResults();
      status.textContent = "";
      root.removeAttribute("aria-busy");
      return;
    }
    var mine = ++sequence;
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var query = new URLSearchParams();
    query.set("q", p.q);
    if (p.audience) query.set("audience", p.audience);
    if (p.topic) query.set("topic", p.topic);
    root.setAttribute("aria-busy", "true");
    status.textContent = str("searching");
    fetch(api + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (res.status === 401) { window.location.assign(loginUrl); return null; }
      if (res.status === 503) throw new Error("not-ready");
      if (!res.ok) throw new Error("http " + res.status);
      return res.json();
    }).then(function (data) {
      if (!data || mine !== sequence) return;
      root.removeAttribute("aria-busy");
      render(data);
    }).catch(function (err) {
      if ((err && err.name === "AbortError") || mine !== sequence) return;
      root.removeAttribute("aria-busy");
      lastKey = "";
      status.textContent = err && err.message === "not-ready" ? str("not-ready") : str("error");
    });
  }

  /* ---- results ---- */

  function render(data) {
    clearResults();
    var results = data.results || [];
    var elsewhere = data.out_of_scope ? str("out-of-scope", { refer: data.out_of_scope.refer.en || "" }) + " " : "";
    if (!results.length) {
      status.textContent = elsewhere + str("no-results");
      return;
    }
    status.textContent = elsewhere + (results.length === 1 ? str("one-result") : str("results", { n: results.length }));
    results.forEach(function (result, index) { list.appendChild(renderResult(result, index)); });
  }

  function renderResult(result, index) {
    var item = el("li", "result");
    item.tabIndex = -1;
    item.setAttribute("data-id", result.id);
    var heading = (result.texts.en || result.texts.pl || {}).title || result.id;
    item.setAttribute("aria-label", (index + 1) + ". " + heading);

    var meta = el("div", "result__meta");
    meta.appendChild(el("span", "result__rank", String(index + 1)));
    meta.appendChild(el("code", "result__id", result.id));
    var pct = Math.round((result.confidence || 0) * 100);
    var conf = el("span", "result__confidence" + (pct < 50 ? " result__confidence--low" : ""),
      str("confidence") + " " + pct + "%" + (pct < 50 ? " · " + str("low-confidence") : ""));
    conf.title = "score " + result.score;
    meta.appendChild(conf);
    (result.audience || []).forEach(function (a) { meta.appendChild(el("span", "badge badge--" + a, str(a))); });
    var checked = el("span", "result__checked", str("checked") + ": ");
    if (result.checked) {
      var time = el("time", null, result.checked);
      time.dateTime = result.checked;
      checked.appendChild(time);
    } else {
      checked.appendChild(document.createTextNode(str("not-checked")));
    }
    meta.appendChild(checked);
    item.appendChild(meta);

    var langs = el("div", "result__langs");
    LANGS.forEach(function (lang) { langs.appendChild(renderLanguage(result, lang)); });
    item.appendChild(langs);

    var foot = el("div", "result__foot");
    if ((result.sources || []).length) {
      var sources = el("div", "result__sources");
      sources.appendChild(el("span", "result__label", str("sources") + ":"));
      var ul = el("ul");
      result.sources.forEach(function (src) {
        var li = el("li");
        li.appendChild(isHttpUrl(src) ? link(src, src) : document.createTextNode(src));
        ul.appendChild(li);
      });
      sources.appendChild(ul);
      foot.appendChild(sources);
    }
    if ((result.related || []).length) {
      var related = el("div", "result__related");
      related.appendChild(el("span", "result__label", str("related") + ":"));
      result.related.forEach(function (rel) {
        var lang = copySelect.value;
        var title = (rel.titles && (rel.titles[lang] || rel.titles.en)) || rel.id;
        var button = el("button", "chip", title);
        button.type = "button";
        button.title = rel.id;
        button.addEventListener("click", function () {
          input.value = title;
          run();
          input.focus();
        });
        related.appendChild(button);
      });
      foot.appendChild(related);
    }
    if ((result.tags || []).length) {
      foot.appendChild(el("p", "result__tags", str("tags") + ": " + result.tags.join(", ")));
    }
    item.appendChild(foot);
    item._result = result;
    return item;
  }

  function renderLanguage(result, lang) {
    var text = result.texts[lang];
    var section = el("section", "lang" + (lang === copySelect.value ? " lang--selected" : ""));
    section.lang = lang;
    section.setAttribute("data-lang", lang);
    var head = el("div", "lang__head");
    head.appendChild(el("span", "lang__code", lang.toUpperCase()));
    if (text) {
      var button = el("button", "button lang__copy", str("copy"));
      button.type = "button";
      button.setAttribute("aria-label", str("copy-label", { lang: langName(lang) }));
      button.addEventListener("click", function () { copy(result, lang, button); });
      head.appendChild(button);
    }
    section.appendChild(head);
    if (!text) {
      section.appendChild(el("p", "lang__missing", str("missing")));
      return section;
    }
    section.appendChild(el("h3", "lang__title", text.title));
    var answer = el("div", "lang__answer");
    appendRich(answer, text.answer);
    section.appendChild(answer);
    return section;
  }

  /* ---- copying ---- */

  function copyText(result, lang) {
    var text = result.texts[lang];
    if (!text) return "";
    var parts = [text.title, "", plainText(text.answer)];
    if ((result.sources || []).length) parts.push("", str("sources") + ":", result.sources.join("\n"));
    return parts.join("\n");
  }

  function fallbackCopy(text) {
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(result, lang, button) {
    var text = copyText(result, lang);
    if (!text) return;
    var done = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); })
      : fallbackCopy(text);
    done.then(function () {
      status.textContent = str("copied-status", { lang: langName(lang) });
      if (button) {
        button.textContent = str("copied") + " ✓";
        button.classList.add("lang__copy--done");
        window.setTimeout(function () {
          button.textContent = str("copy");
          button.classList.remove("lang__copy--done");
        }, COPIED_MS);
      }
    }, function () {
      status.textContent = str("copy-failed");
    });
  }

  /* ---- keyboard ---- */

  function resultItems() { return Array.prototype.slice.call(list.querySelectorAll(".result")); }
  function focusedResult() {
    var node = document.activeElement;
    while (node && node !== list) {
      if (node.classList && node.classList.contains("result")) return node;
      node = node.parentNode;
    }
    return null;
  }
  function moveFocus(step) {
    var items = resultItems();
    if (!items.length) return false;
    var current = focusedResult();
    var index = current ? items.indexOf(current) + step : (step > 0 ? 0 : items.length - 1);
    if (index < 0) { input.focus(); return true; }
    if (index >= items.length) index = items.length - 1;
    items[index].focus();
    items[index].scrollIntoView({ block: "nearest" });
    return true;
  }
  function clearSearch() {
    if (timer) window.clearTimeout(timer);
    input.value = "";
    run();
    input.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    var inSearch = target === input;
    var editable = isEditable(target);
    if (event.key === "/" && !editable) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape" && (inSearch || !editable)) {
      event.preventDefault();
      clearSearch();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && (inSearch || !editable)) {
      if (inSearch && event.key === "ArrowUp") return;
      if (moveFocus(event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    } else if ((event.key === "c" || event.key === "C") && !editable) {
      var item = focusedResult();
      if (!item || !item._result) return;
      event.preventDefault();
      var lang = copySelect.value;
      copy(item._result, lang, item.querySelector('.lang[data-lang="' + lang + '"] .lang__copy'));
    }
  });

  /* ---- wiring ---- */

  input.addEventListener("input", schedule);
  audienceSelect.addEventListener("change", function () { run(); });
  topicSelect.addEventListener("change", function () { run(); });
  copySelect.addEventListener("change", function () {
    if (store) store.setItem("infoopt.consultant.copyLanguage", copySelect.value);
    Array.prototype.forEach.call(list.querySelectorAll(".lang"), function (section) {
      section.classList.toggle("lang--selected", section.getAttribute("data-lang") === copySelect.value);
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (timer) window.clearTimeout(timer);
    run(true);
  });
  var saved = store && store.getItem("infoopt.consultant.copyLanguage");
  if (LANGS.indexOf(saved) >= 0) copySelect.value = saved;
  if (input.value.trim()) run();
})();
