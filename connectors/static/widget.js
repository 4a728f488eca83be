/* INFO.OPT chat widget. Everything users or the bot send is inserted as text nodes, never as HTML. */
(function () {
  "use strict";
  var UI = {
    en: { title: "INFO.OPT assistant", language: "Language", typing: "The assistant is typing…", inputLabel: "Your message", send: "Send", sources: "Sources", checked: "checked", unreachable: "The assistant cannot be reached. Check your connection and try again.", tooLong: "Your message is too long." },
    pl: { title: "Asystent INFO.OPT", language: "Język", typing: "Asystent pisze…", inputLabel: "Twoja wiadomość", send: "Wyślij", sources: "Źródła", checked: "stan na", unreachable: "Brak połączenia z asystentem. Sprawdź połączenie i spróbuj ponownie.", tooLong: "Wiadomość jest za długa." },
    uk: { title: "Асистент INFO.OPT", language: "Мова", typing: "Асистент пише…", inputLabel: "Ваше повідомлення", send: "Надіслати", sources: "Джерела", checked: "станом на", unreachable: "Немає зв'язку з асистентом. Перевірте з'єднання і спробуйте ще раз.", tooLong: "Повідомлення задовге." },
    ru: { title: "Ассистент INFO.OPT", language: "Язык", typing: "Ассистент печатает…", inputLabel: "Ваше сообщение", send: "Отправить", sources: "Источники", checked: "по состоянию на", unreachable: "Нет связи с ассистентом. Проверьте соединение и попробуйте ещё раз.", tooLong: "Сообщение слишком длинное." }
  };
  var LANGS = ["pl", "en", "uk", "ru"];
  var MAX_CHARS = 2000;
  var root = document.getElementById("infoopt-chat");
  var api = (root && root.getAttribute("data-api")) || "/api/chat";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var typing = document.getElementById("chat-typing");
  var errorBox = document.getElementById("chat-error");
  var langSelect = document.getElementById("chat-lang");
  var store = (function () {
    try {
      var s = window.localStorage;
      s.setItem("infoopt.probe", "1");
      s.removeItem("infoopt.probe");
      return s;
    } catch (e) {  // storage blocked (e.g. some embedded contexts): keep the conversation in memory
      var memory = {};
      return { getItem: function (k) { return k in memory ? memory[k] : null; },
               setItem: function (k, v) { memory[k] = String(v); }, removeItem: function (k) { delete memory[k]; } };
    }
  })();

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function initialLanguage() {
    var requested = new URLSearchParams(window.location.search).get("lang");
    if (LANGS.indexOf(requested) >= 0 && !store.getItem("infoopt.language")) return requested;
    var saved = store.getItem("infoopt.language");
    if (LANGS.indexOf(saved) >= 0) return saved;
    var nav = (navigator.language || "en").slice(0, 2).toLowerCase();
    return LANGS.indexOf(nav) >= 0 ? nav : "en";
  }
  var sender = store.getItem("infoopt.sender") || randomId();
  store.setItem("infoopt.sender", sender);
  var language = initialLanguage();
  var history = [];
  try { history = JSON.parse(store.getItem("infoopt.history") || "[]"); } catch (e) { history = []; }

  function t(key) { return (UI[language] || UI.en)[key]; }
  function applyLanguage() {
    langSelect.value = language;
    document.documentElement.lang = language;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) { el.textContent = t(el.getAttribute("data-i18n")); });
  }

  var LINK = /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s)<>]+)|\*\*([^*]+)\*\*/g;
  function appendRich(parent, text) {
    var last = 0, m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[4] !== undefined) {
        var strong = document.createElement("strong");
        strong.textContent = m[4];
        parent.appendChild(strong);
      } else {
        var a = document.createElement("a");
        a.href = m[2] || m[3];
        a.textContent = m[1] || m[3];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        parent.appendChild(a);
      }
      last = LINK.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function renderSources(parent, custom) {
    var box = document.createElement("div");
    box.className = "msg__sources";
    box.appendChild(document.createTextNode(t("sources") + ": "));
    (custom.sources || []).forEach(function (url, i) {
      if (!/^https?:\/\//.test(url)) return;
      if (i > 0) box.appendChild(document.createTextNode(", "));
      var a = document.createElement("a");
      a.href = url; a.textContent = url.replace(/^https?:\/\//, "").split("/")[0];
      a.target = "_blank"; a.rel = "noopener noreferrer";
      box.appendChild(a);
    });
    if (custom.checked) box.appendChild(document.createTextNode(" · " + t("checked") + " " + custom.checked));
    parent.appendChild(box);
  }
  function render(item) {
    if (item.buttons && item.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      item.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(btn);
      });
      if (item.text) renderBubble(item);
      log.appendChild(row);
    } else {
      renderBubble(item);
    }
    log.scrollTop = log.scrollHeight;
  }
  function renderBubble(item) {
    if (item.custom && item.custom.type === "sources" && !item.text) {
      var answers = log.querySelectorAll(".msg--bot");
      if (answers.length) { renderSources(answers[answers.length - 1], item.custom); return; }
    }
    if (!item.text) return;
    var div = document.createElement("div");
    div.className = "msg msg--" + item.who;
    if (item.who === "user") div.textContent = item.text; else appendRich(div, item.text);
    log.appendChild(div);
  }
  function remember(item) {
    history.push(item);
    if (history.length > 200) history = history.slice(-200);
    store.setItem("infoopt.history", JSON.stringify(history));
    render(item);
  }
  function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }

  // The first screen, before the first message: welcome, suggested questions, what is stored.
  var welcomeApi = api.replace(/\/chat$/, "/welcome");
  function showWelcome() {
    var old = document.getElementById("chat-welcome");
    if (old) old.parentNode.removeChild(old);
    if (history.length) return;
    fetch(welcomeApi + "?language=" + encodeURIComponent(language)).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (w) {
      if (!w || history.length || document.getElementById("chat-welcome")) return;
      var box = document.createElement("div");
      box.id = "chat-welcome";
      box.className = "welcome";
      var hello = document.createElement("div");
      hello.className = "msg welcome__text";
      appendRich(hello, w.text);
      box.appendChild(hello);
      var row = document.createElement("div");
      row.className = "buttons";
      (w.suggestions || []).forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(btn);
      });
      box.appendChild(row);
      var note = document.createElement("p");
      note.className = "welcome__note";
      appendRich(note, w.note);
      box.appendChild(note);
      log.insertBefore(box, log.firstChild);
    }).catch(function () { /* the chat works without its first screen */ });
  }

  function send(message, shown) {
    showError("");
    if (message.length > MAX_CHARS) { showError(t("tooLong")); return; }
    var first = document.getElementById("chat-welcome");
    if (first) first.parentNode.removeChild(first);
    remember({ who: "user", text: shown || message });
    typing.hidden = false;
    fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // the language goes along only when the person chose it (the select, or a switch they asked
      // for); otherwise the assistant follows the language they write in
      body: JSON.stringify(store.getItem("infoopt.language.chosen") === "1"
        ? { sender: sender, message: message, language: language } : { sender: sender, message: message })
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      typing.hidden = true;
      if (!r.ok) { showError((r.body && r.body.error && r.body.error.message) || t("unreachable")); return; }
      (r.body.messages || []).forEach(function (m) {
        if (m.custom && m.custom.type === "language" && LANGS.indexOf(m.custom.language) >= 0) {
          language = m.custom.language;
          store.setItem("infoopt.language", language);
          store.setItem("infoopt.language.chosen", "1");
          applyLanguage();
        }
        remember({ who: "bot", text: m.text || "", buttons: m.buttons || [], custom: m.custom || null });
      });
    }).catch(function () { typing.hidden = true; showError(t("unreachable")); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  langSelect.addEventListener("change", function () {
    language = langSelect.value;
    store.setItem("infoopt.language", language);
    store.setItem("infoopt.language.chosen", "1");
    applyLanguage();
    showWelcome();
  });
  applyLanguage();
  history.forEach(render);
  showWelcome();
})();
