// The anonymous web chat page. Served as a file so the page's CSP needs no 'unsafe-inline'.
(() => {
  "use strict";
  // The page's own words, in every language the bot may answer in; the server names the language with each reply.
  const UI = {
    ru: {title: "Анонимный чат", exit: "Выйти", quick: "Быстрый выход", language: "Язык", send: "Отправить", placeholder: "Напишите сообщение…", hint: "Чат анонимный. Кнопка «Выйти» сразу закроет его.", offline: "Нет связи, пробуем снова…"},
    kk: {title: "Анонимді чат", exit: "Шығу", quick: "Жылдам шығу", language: "Тіл", send: "Жіберу", placeholder: "Хабарлама жазыңыз…", hint: "Чат анонимді. «Шығу» батырмасы оны бірден жабады.", offline: "Байланыс жоқ, қайта қосылудамыз…"},
    uz: {title: "Anonim chat", exit: "Chiqish", quick: "Tez chiqish", language: "Til", send: "Yuborish", placeholder: "Xabar yozing…", hint: "Chat anonim. «Chiqish» tugmasi uni darhol yopadi.", offline: "Aloqa yo'q, qayta ulanmoqda…"},
    "uz-Cyrl": {title: "Аноним чат", exit: "Чиқиш", quick: "Тез чиқиш", language: "Тил", send: "Юбориш", placeholder: "Хабар ёзинг…", hint: "Чат аноним. «Чиқиш» тугмаси уни дарҳол ёпади.", offline: "Алоқа йўқ, қайта уланмоқда…"},
    ky: {title: "Анонимдүү чат", exit: "Чыгуу", quick: "Тез чыгуу", language: "Тил", send: "Жөнөтүү", placeholder: "Билдирүү жазыңыз…", hint: "Чат анонимдүү. «Чыгуу» баскычы аны дароо жабат.", offline: "Байланыш жок, кайра туташууда…"},
    tg: {title: "Чати беном", exit: "Баромад", quick: "Баромади фаврӣ", language: "Забон", send: "Фиристодан", placeholder: "Паём нависед…", hint: "Чат беном аст. Тугмаи «Баромад» онро фавран мепӯшад.", offline: "Пайваст нест, боз пайваст мешавем…"},
    en: {title: "Anonymous chat", exit: "Exit", quick: "Quick exit", language: "Language", send: "Send", placeholder: "Write a message…", hint: "This chat is anonymous. The Exit button closes it at once.", offline: "Offline, reconnecting…"},
  };
  const $ = (id) => document.getElementById(id);
  const log = $("log"), text = $("text"), lang = $("lang");
  const store = window.sessionStorage;
  let session = store.getItem("s") || "";
  let current = "ru";
  let socket = null, counter = 0, retry = 500, renewAfterErase = null;

  const words = () => UI[current] || UI.ru;
  function known(code) {
    if (!code) return null;
    if (UI[code]) return code;
    const base = String(code).split(/[-_]/)[0];
    return UI[base] ? base : null;
  }

  function quickExit() {
    try { if (socket) { socket.onclose = null; socket.close(); } } catch (e) { /* already closed */ }
    try { store.clear(); window.localStorage.clear(); } catch (e) { /* storage disabled */ }
    log.textContent = "";
    // Replace this entry in the history so "back" does not return to the chat.
    window.location.replace("/weather");
  }
  $("exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") quickExit(); });

  function applyLanguage(code) {
    const chosen = known(code) || "ru";
    current = chosen;
    const t = words();
    document.documentElement.lang = chosen;
    document.title = t.title;
    $("title").textContent = t.title;
    $("exit-label").textContent = t.exit;
    $("exit").title = t.quick;
    $("send").setAttribute("aria-label", t.send);
    lang.setAttribute("aria-label", t.language);
    text.placeholder = t.placeholder;
    const hint = document.getElementById("hint");
    if (hint) hint.textContent = t.hint;
    if ([...lang.options].some((o) => o.value === chosen)) lang.value = chosen;
    try { store.setItem("lang", chosen); } catch (e) { /* storage disabled */ }
  }
  const browser = (navigator.language || "ru").slice(0, 2);
  const offered = [...lang.options].map((o) => o.value);
  const remembered = store.getItem("lang");
  applyLanguage(offered.includes(remembered) ? remembered : (offered.includes(browser) ? browser : offered[0]));
  lang.addEventListener("change", () => { applyLanguage(lang.value); send({type: "command", command: "lang:" + lang.value}); });

  function note(message, id) {
    const div = document.createElement("div");
    div.className = "note";
    if (id) div.id = id;
    div.textContent = message;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function bubble(kind, body, id, buttons) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    if (id) div.dataset.id = id;
    div.textContent = body;
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      buttons.flat().forEach((b) => {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.label;
        btn.addEventListener("click", () => {
          bubble("me", b.label);
          send({type: "command", command: b.data});
          row.remove();
        });
        row.appendChild(btn);
      });
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    note(words().offline);
    return false;
  }
  // After an erasure: nothing of the conversation stays on screen or in storage, and the next
  // message starts a new, unlinked session (once the closing line has arrived, or soon anyway).
  function erased() {
    log.textContent = "";
    session = "";
    try { store.clear(); window.localStorage.clear(); } catch (e) { /* storage disabled */ }
    document.body.dataset.erased = "1";
    if (renewAfterErase === null) renewAfterErase = setTimeout(renew, 3000);
  }
  function renew() {
    if (renewAfterErase !== null) { clearTimeout(renewAfterErase); renewAfterErase = null; }
    try { if (socket) socket.close(); } catch (e) { /* reconnects below */ }
  }
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + "/chat/ws" + (session ? "?session=" + encodeURIComponent(session) : ""));
    socket.onopen = () => { retry = 500; };
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "session") { session = frame.session; try { store.setItem("s", session); } catch (e) { /* tab only */ } }
      else if (frame.type === "message") {
        if (frame.lang) applyLanguage(frame.lang);
        bubble("bot", frame.text, frame.id, frame.buttons);
        if (renewAfterErase !== null) renew();
      }
      else if (frame.type === "edit") { const el = log.querySelector('[data-id="' + frame.id + '"]'); if (el) el.textContent = frame.text; }
      else if (frame.type === "delete") erased();
      else if (frame.type === "error") note(frame.message);
    };
    socket.onclose = () => { setTimeout(connect, retry); retry = Math.min(retry * 2, 8000); };
  }
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    counter += 1;
    if (send({type: "message", text: body, id: Date.now().toString(36) + "-" + counter, lang: lang.value})) {
      bubble("me", body);
      text.value = "";
    }
  });
  text.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("form").requestSubmit(); } });
  note(words().hint, "hint");
  connect();
})();
