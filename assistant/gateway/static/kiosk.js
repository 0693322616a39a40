// Kiosk screen over /v1/voice (docs/voice-protocol.md): push-to-talk, service tiles, a keypad
// for private digits, answer buttons and a confirmation card with a QR code. No build step.
// Digits keyed or heard are only ever shown masked, and never written to the console.
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const TEXT = {
    ru: { title: "Городской помощник", talk: "Нажмите и говорите", listening: "Говорите…",
      thinking: "Думаю…", ready: "Нажмите кнопку и говорите или выберите услугу",
      connecting: "Подключение…", repeat: "Повторить", slower: "Медленнее",
      faster: "Обычный темп", restart: "Начать заново", tiles: "Или выберите услугу",
      screen: "На экране (не озвучивается)", ended: "Разговор завершён. Можно начать заново.",
      keypadHint: "Цифры скрыты на экране и не произносятся вслух.", erase: "Стереть",
      send: "Отправить", booked: "Вы записаны", rescheduled: "Запись перенесена",
      refLabel: "Номер записи", qrAlt: "QR-код номера записи",
      qrHint: "Сфотографируйте QR-код или запишите номер.", done: "Готово",
      micDenied: "Микрофон недоступен: доступ к нему запрещён. Попросите сотрудника разрешить " +
        "микрофон для этой страницы. Кнопки на экране работают.",
      micMissing: "Микрофон не найден. Пользуйтесь кнопками на экране.",
      offline: "Нет связи с помощником. Переподключение…" },
    en: { title: "City assistant", talk: "Hold and speak", listening: "Listening…",
      thinking: "Thinking…", ready: "Hold the button and speak, or choose a service",
      connecting: "Connecting…", repeat: "Repeat", slower: "Slower", faster: "Normal pace",
      restart: "Start over", tiles: "Or choose a service",
      screen: "On screen (not spoken)", ended: "Conversation over. You can start again.",
      keypadHint: "Digits are hidden on screen and never read aloud.", erase: "Erase",
      send: "Send", booked: "You are booked", rescheduled: "Appointment moved",
      refLabel: "Booking reference", qrAlt: "QR code of the booking reference",
      qrHint: "Take a photo of the QR code or write the reference down.", done: "Done",
      micDenied: "The microphone is blocked: access was refused. Ask staff to allow the " +
        "microphone for this page. The buttons on screen still work.",
      micMissing: "No microphone found. Use the buttons on screen.",
      offline: "No connection to the assistant. Reconnecting…" },
  };
  // Service tiles: each sends a phrase the dialogue's NLU knows, in the session's language.
  const TILES = {
    doctor: { ru: ["Запись к врачу", "запишите меня к врачу"],
      en: ["Doctor's appointment", "book a doctor"] },
    troika: { ru: ["Карта «Тройка»", "баланс тройки"], en: ["Troika card", "troika balance"] },
    transport: { ru: ["Транспорт", "когда придёт автобус"],
      en: ["Transport", "when is the next bus"] },
    wifi: { ru: ["Wi-Fi", "где бесплатный вайфай"], en: ["Wi-Fi", "where is free wifi"] },
    problem: { ru: ["Сообщить о проблеме", "хочу сообщить о проблеме"],
      en: ["Report a problem", "i want to report a problem"] },
    queue: { ru: ["Очередь в детский сад", "очередь в детский сад"],
      en: ["Kindergarten queue", "kindergarten queue"] },
  };
  // `expect` slot kinds answered on the keypad: private digits, never said aloud on the street.
  const KEYPAD = {
    policy_number: { min: 16, max: 16, ru: "Номер полиса ОМС (16 цифр)",
      en: "Health insurance policy number (16 digits)" },
    card_number: { min: 10, max: 10, ru: "Номер карты «Тройка» (10 цифр)",
      en: "Troika card number (10 digits)" },
    application_number: { min: 5, max: 10, ru: "Номер заявления в детский сад",
      en: "Kindergarten application number" },
    request_id: { min: 1, max: 12, ru: "Номер заявки", en: "Request number" },
    birth_date: { min: 8, max: 8, date: true, ru: "Дата рождения: ДД ММ ГГГГ",
      en: "Date of birth: DD MM YYYY" },
  };
  // `expect` slot kinds whose offered phrases become answer buttons.
  const CHOICES = ["yes_no", "slot_choice", "date", "specialty"];
  const IDLE_S = Number(params.get("idle") || 120);  // a new conversation for the next person

  const $ = (id) => document.getElementById(id);
  const newSession = () => "kiosk-" + Math.random().toString(36).slice(2, 10);
  const kiosk = window.kiosk = {
    lang: params.get("lang") || "ru", token: params.get("token") || "",
    sessionId: newSession(), state: "connecting", played: 0, ended: 0, events: [],
    micError: null, slow: false, expect: null, keyed: "", confirmation: null, qrShown: 0,
  };
  let ws = null, ctx = null, mic = null, streaming = false, awaiting = false;
  let audioHead = null, audioParts = [], playing = null, queued = [], idleTimer = null;

  const t = (key) => (TEXT[kiosk.lang] || TEXT.en)[key];
  const uiLang = () => (kiosk.lang === "ru" ? "ru" : "en");

  // -- masking: digits keyed on this page (in any grouping) and any other run of 5+ digits
  // not inside a word (the booking reference A000123 stays) keep their last 4 only ------------
  const keyedSecrets = [];  // this conversation's keyed numbers, in memory only
  const hideAllButLast4 = (run) => {
    let keep = 4;
    return run.split("").reverse().map((c) => (/\d/.test(c) ? (keep-- > 0 ? c : "•") : c))
      .reverse().join("");
  };
  function maskDigits(text) {
    let out = String(text);
    for (const secret of keyedSecrets) {
      out = out.replace(new RegExp(secret.split("").join("[ \\-.]?"), "g"), hideAllButLast4);
    }
    return out.replace(/(?<![\w\u0400-\u04ff])\d{5,}(?![\w\u0400-\u04ff])/g, hideAllButLast4);
  }
  function keyedShown() {
    const spec = KEYPAD[kiosk.expect && kiosk.expect.slot] || { max: 16 };
    const hide = Math.max(0, kiosk.keyed.length - 4);
    const chars = kiosk.keyed.split("").map((c, i) => (i < hide ? "•" : c));
    if (spec.date) {
      const cells = chars.concat(Array(8 - chars.length).fill("_"));
      return `${cells.slice(0, 2).join("")}.${cells.slice(2, 4).join("")}.${cells.slice(4).join("")}`;
    }
    const groups = [];  // groups of four from the right, as the last four are read back
    for (let end = chars.length; end > 0; end -= 4) {
      groups.unshift(chars.slice(Math.max(0, end - 4), end).join(""));
    }
    return groups.join(" ") || "—";
  }

  function setStatus(key) { kiosk.state = key; $("status").textContent = t(key); }
  function relabel() {
    document.documentElement.lang = kiosk.lang;
    document.title = t("title");
    $("title").textContent = t("title");
    $("talk-label").textContent = t("talk");
    $("talk").setAttribute("aria-label", t("talk"));
    $("repeat").textContent = t("repeat");
    $("slower").textContent = kiosk.slow ? t("faster") : t("slower");
    $("restart").textContent = t("restart");
    $("screen-title").textContent = t("screen");
    $("tiles-title").textContent = t("tiles");
    $("keypad-hint").textContent = t("keypadHint");
    $("key-back").setAttribute("aria-label", t("erase"));
    $("key-send").setAttribute("aria-label", t("send"));
    $("confirm-ref-label").textContent = t("refLabel");
    $("confirm-qr").alt = t("qrAlt");
    $("confirm-hint").textContent = t("qrHint");
    $("confirm-close").textContent = t("done");
    if (kiosk.confirmation) $("confirm-title").textContent = t(
      kiosk.confirmation.kind === "rescheduled" ? "rescheduled" : "booked");
    document.querySelectorAll(".tile").forEach((b) => {
      b.textContent = TILES[b.dataset.task][uiLang()][0];
    });
    document.querySelectorAll(".lang").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.lang === kiosk.lang)));
    if (TEXT.en[kiosk.state]) $("status").textContent = t(kiosk.state);
    if (kiosk.micError) $("mic-error").textContent = t(kiosk.micError);
    showExpect();
  }
  function addLine(who, text) {
    if (!text) return null;
    const li = document.createElement("li");
    li.className = who; li.textContent = maskDigits(text);
    $("log").prepend(li);
    while ($("log").children.length > 6) $("log").lastChild.remove();
    return li;
  }
  function enable(on) {
    $("talk").disabled = !on || !!kiosk.micError;
    $("repeat").disabled = !on; $("slower").disabled = !on;
  }
  function busy() {
    document.body.classList.toggle("busy", !$("keypad").hidden || !$("confirm").hidden);
  }

  // -- the connection ------------------------------------------------------------------------
  function connect() {
    setStatus("connecting"); enable(false);
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const sock = new WebSocket(
      `${proto}//${location.host}/v1/voice?token=${encodeURIComponent(kiosk.token)}`);
    ws = sock;
    sock.binaryType = "arraybuffer";
    sock.onopen = () => sock.send(JSON.stringify({ type: "config", lang: kiosk.lang,
      sample_rate: audioRate(), device_id: "kiosk-page", session_id: kiosk.sessionId,
      channel: "kiosk" }));
    sock.onmessage = (msg) => typeof msg.data === "string" ? onEvent(JSON.parse(msg.data))
      : audioParts.push(msg.data);
    sock.onclose = () => {
      if (ws !== sock) return;  // replaced on purpose (language, new conversation)
      enable(false); streaming = false; awaiting = false; setStatus("offline");
      setTimeout(connect, 1500);
    };
  }
  function reconnect() {  // the same page, a new socket: a new language or a new conversation
    const old = ws; ws = null; awaiting = false; streaming = false;
    if (old) old.close();
    connect();
  }
  function audioRate() { return Math.min(48000, Math.max(8000, Math.round(context().sampleRate))); }
  function context() { if (!ctx) ctx = new AudioContext(); return ctx; }
  function send(message) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(message)); return true;
  }

  function onEvent(ev) {
    kiosk.events.push(ev);
    switch (ev.type) {
      case "ready": setStatus("ready"); enable(true); break;
      case "partial": if (streaming) $("partial").textContent = maskDigits(ev.text); break;
      case "final": stopStreaming(false); awaiting = true; setStatus("thinking");
        $("partial").textContent = ""; addLine("user", ev.text); break;
      case "reply": onReply(ev); break;
      case "display": $("display").textContent = ev.text; $("screen").hidden = false; break;
      case "audio": audioHead = ev; audioParts = []; break;
      case "audio-end": play(); break;
      case "stop-audio": stopPlayback(); break;
      case "turn-end": awaiting = false; if (kiosk.state !== "listening") setStatus("ready");
        showExpect(); break;
      case "end": setStatus("ended"); kiosk.sessionId = newSession(); kiosk.expect = null;
        keyedSecrets.length = 0; showExpect(); break;
      case "error": console.warn("assistant error", ev.code); break;
    }
  }
  function onReply(ev) {
    ev.texts.forEach((x) => { kiosk.lastReply = addLine("bot", x); });
    let expect = null;
    for (const e of ev.events || []) {
      if (e.type === "expect") expect = { slot: String(e.slot || ""), phrases: e.phrases || [] };
      else if (e.type === "language" && TEXT[e.lang] && e.lang !== kiosk.lang) {
        kiosk.lang = e.lang; relabel();  // a spoken "speak English": the server switched already
      } else if (e.type === "confirmation" && e.reference) showConfirmation(e);
    }
    if (!expect || !kiosk.expect || expect.slot !== kiosk.expect.slot) kiosk.keyed = "";
    kiosk.expect = expect;
    showExpect();
  }

  // -- what the dialogue expects: the keypad, or answer buttons -------------------------------
  function showExpect() {
    const slot = kiosk.expect && kiosk.expect.slot;
    const spec = KEYPAD[slot];
    $("keypad").hidden = !spec;
    if (spec) {
      $("keypad-title").textContent = spec[uiLang()];
      $("keypad-shown").textContent = keyedShown();
      $("key-send").disabled = awaiting || kiosk.keyed.length < spec.min;
    }
    const box = $("choices");
    box.replaceChildren();
    const phrases = CHOICES.includes(slot) ? kiosk.expect.phrases.slice(0, 12) : [];
    phrases.forEach((p) => {
      const b = document.createElement("button");
      b.className = "choice"; b.textContent = p.charAt(0).toUpperCase() + p.slice(1);
      b.addEventListener("click", () => say(p, p));
      box.append(b);
    });
    box.hidden = !phrases.length;
    busy();
  }
  function key(k) {
    const spec = KEYPAD[kiosk.expect && kiosk.expect.slot];
    if (!spec) return;
    if (k === "back") kiosk.keyed = kiosk.keyed.slice(0, -1);
    else if (k === "send") {
      if (kiosk.keyed.length < spec.min || awaiting) return;
      const digits = kiosk.keyed;
      const shown = keyedShown();
      if (digits.length >= 5) keyedSecrets.push(digits);
      kiosk.keyed = "";
      say(digits, shown);
      return;
    } else if (/^\d$/.test(k) && kiosk.keyed.length < spec.max) kiosk.keyed += k;
    showExpect();
  }
  // A touch turn: the text goes to the dialogue as a typed turn of the same session; the log
  // shows `shown` (masked digits).
  function say(text, shown) {
    context().resume(); stopPlayback();
    if (!send({ type: "text", text })) return;
    awaiting = true; setStatus("thinking");
    addLine("user", shown);
    showExpect();
  }

  // -- the confirmation card ------------------------------------------------------------------
  function showConfirmation(e) {
    kiosk.confirmation = e;
    $("confirm-title").textContent = t(e.kind === "rescheduled" ? "rescheduled" : "booked");
    $("confirm-ref").textContent = e.reference;
    $("confirm-what").textContent = e.specialty || "";
    $("confirm-when").textContent = e.when || "";
    $("confirm-clinic").textContent = e.clinic || "";
    const img = $("confirm-qr");
    img.hidden = true;
    $("confirm").hidden = false; busy();
    fetch(`/kiosk/qr?text=${encodeURIComponent(e.reference)}`,
      { headers: { Authorization: `Bearer ${kiosk.token}` } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`QR ${r.status}`))))
      .then((body) => {
        img.onload = () => { img.hidden = false; kiosk.qrShown++; };
        img.src = body.data_uri;
      })
      .catch((err) => console.warn("no QR code:", err.message));
    $("confirm").scrollIntoView({ block: "start" });
  }
  function closeConfirmation() {
    kiosk.confirmation = null; $("confirm").hidden = true; busy();
  }

  // -- audio out: the reply's sentences in order ----------------------------------------------
  function play() {
    if (!audioHead) return;
    const bytes = new Int16Array(audioParts.reduce((n, p) => n + p.byteLength, 0) / 2);
    let at = 0;
    for (const part of audioParts) { bytes.set(new Int16Array(part), at); at += part.byteLength / 2; }
    audioParts = [];
    if (!bytes.length) return;
    const buffer = context().createBuffer(1, bytes.length, audioHead.sample_rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < bytes.length; i++) data[i] = bytes[i] / 32768;
    queued.push(buffer);
    if (!playing) playNext();
  }
  function playNext() {
    const buffer = queued.shift();
    if (!buffer) return;
    const source = context().createBufferSource();
    source.buffer = buffer; source.connect(context().destination);
    const line = kiosk.lastReply; if (line) line.classList.add("speaking");
    source.onended = () => { kiosk.ended++; if (line) line.classList.remove("speaking");
      if (playing === source) { playing = null; playNext(); } };
    playing = source; source.start(); kiosk.played++;
    context().resume();
  }
  function stopPlayback() {
    queued = [];
    if (playing) { const p = playing; playing = null; try { p.stop(); } catch (e) { /* done */ } }
  }

  // -- the microphone -------------------------------------------------------------------------
  async function openMic() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return micFailed("micMissing");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: {
        echoCancellation: true, noiseSuppression: true, channelCount: 1 } });
      await context().audioWorklet.addModule("/kiosk/static/mic-worklet.js");
      const node = new AudioWorkletNode(context(), "mic-capture");
      node.port.onmessage = (m) => { if (streaming && ws && ws.readyState === 1) ws.send(m.data); };
      context().createMediaStreamSource(stream).connect(node);
      mic = node;
    } catch (err) {
      micFailed(err && (err.name === "NotFoundError" || err.name === "OverconstrainedError")
        ? "micMissing" : "micDenied");
    }
  }
  function micFailed(key) {
    kiosk.micError = key; $("mic-error").hidden = false; $("mic-error").textContent = t(key);
    $("talk").disabled = true;
  }
  function startStreaming(e) {
    e.preventDefault();
    if (!mic || !ws || ws.readyState !== 1 || awaiting) return;
    context().resume(); stopPlayback();
    streaming = true; $("talk").classList.add("active"); setStatus("listening");
  }
  function stopStreaming(sendEnd) {
    if (!streaming) return;
    streaming = false; $("talk").classList.remove("active");
    if (sendEnd && send({ type: "end" })) { awaiting = true; setStatus("thinking"); }
  }

  // -- a new conversation (the next person at the kiosk) --------------------------------------
  function startOver() {
    stopPlayback();
    kiosk.sessionId = newSession(); kiosk.expect = null; kiosk.keyed = "";
    keyedSecrets.length = 0;
    closeConfirmation();
    $("log").replaceChildren(); $("display").textContent = ""; $("screen").hidden = true;
    $("partial").textContent = "";
    showExpect(); reconnect();
  }
  function touched() {
    clearTimeout(idleTimer);
    if (IDLE_S > 0) idleTimer = setTimeout(() => { if (!streaming) startOver(); }, IDLE_S * 1000);
  }

  const talk = $("talk");
  talk.addEventListener("pointerdown", startStreaming);
  ["pointerup", "pointercancel", "pointerleave"].forEach((n) =>
    talk.addEventListener(n, () => stopStreaming(true)));
  talk.addEventListener("contextmenu", (e) => e.preventDefault());
  document.addEventListener("pointerdown", touched, true);
  $("repeat").addEventListener("click", () => { context().resume(); send({ type: "repeat" }); });
  $("slower").addEventListener("click", () => { context().resume(); kiosk.slow = !kiosk.slow;
    relabel(); send({ type: kiosk.slow ? "slower" : "faster" }); });
  $("restart").addEventListener("click", startOver);
  $("confirm-close").addEventListener("click", closeConfirmation);
  document.querySelectorAll(".key").forEach((b) =>
    b.addEventListener("click", () => key(b.dataset.key)));
  document.querySelectorAll(".tile").forEach((b) => b.addEventListener("click", () => {
    const [label, phrase] = TILES[b.dataset.task][uiLang()];
    closeConfirmation();
    say(phrase, label);
  }));
  document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.lang === kiosk.lang) return;
    kiosk.lang = b.dataset.lang; relabel(); reconnect();  // same session, the new language
  }));

  kiosk.send = send;
  kiosk.maskDigits = maskDigits;
  relabel(); touched();
  openMic().finally(connect);
})();
