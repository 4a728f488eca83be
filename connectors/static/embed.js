/* INFO.OPT chat for the office's site: <script src="https://ASSISTANT-HOST/static/embed.js" defer></script>
   Adds a chat button; the chat itself runs in an iframe from the assistant's origin, so nothing on
   the host page can read or alter the conversation. Options: data-lang="pl|en|uk|ru", data-label. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var lang = script.getAttribute("data-lang") || (document.documentElement.lang || "").slice(0, 2);
  var labels = { pl: "Czat INFO.OPT", en: "INFO.OPT chat", uk: "Чат INFO.OPT", ru: "Чат INFO.OPT" };
  var closeLabels = { pl: "Zamknij czat", en: "Close chat", uk: "Закрити чат", ru: "Закрыть чат" };
  var label = script.getAttribute("data-label") || labels[lang] || labels.en;

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "infoopt-chat-panel");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:12px 18px;border:0;" +
    "border-radius:24px;background:#0b4f9c;color:#fff;font:16px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)";

  var panel = document.createElement("div");
  panel.id = "infoopt-chat-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  panel.style.cssText = "position:fixed;right:16px;bottom:72px;z-index:2147483000;width:min(400px,calc(100vw - 32px));" +
    "height:min(640px,calc(100vh - 96px));background:#fff;border:1px solid #ccd;border-radius:8px;overflow:hidden;box-shadow:0 4px 16px rgba(0,0,0,.3)";
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", closeLabels[lang] || closeLabels.en);
  close.style.cssText = "position:absolute;top:4px;right:8px;border:0;background:transparent;font-size:24px;cursor:pointer";
  var frame = document.createElement("iframe");
  frame.title = label;
  frame.style.cssText = "width:100%;height:100%;border:0";

  function toggle(open) {
    if (open && !frame.src) frame.src = origin + "/?embedded=1" + (labels[lang] ? "&lang=" + lang : "");
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    (open ? close : button).focus();
  }
  button.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") toggle(false); });
  panel.appendChild(close);
  panel.appendChild(frame);
  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
