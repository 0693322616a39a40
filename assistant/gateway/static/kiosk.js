// Kiosk screen: push-to-talk over /v1/voice (docs/voice-protocol.md). No build step.
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const TEXT = {
    ru: { title: "Городской помощник", talk: "Нажмите и говорите", listening: "Говорите…",
      thinking: "Думаю…", ready: "Нажмите большую кнопку и говорите", connecting: "Подключение…",
      repeat: "Повторить", slower: "Медленнее", faster: "Обычный темп",
      screen: "На экране (не озвучивается)", ended: "Разговор завершён. Можно начать заново.",
      micDenied: "Микрофон недоступен: доступ к нему запрещён. Попросите сотрудника разрешить " +
        "микрофон для этой страницы. Кнопки «Повторить» и «Медленнее» работают.",
      micMissing: "Микрофон не найден. Попросите сотрудника подключить микрофон.",
      offline: "Нет связи с помощником. Переподключение…" },
    en: { title: "City assistant", talk: "Hold and speak", listening: "Listening…",
      thinking: "Thinking…", ready: "Hold the big button and speak", connecting: "Connecting…",
      repeat: "Repeat", slower: "Slower", faster: "Normal pace",
      screen: "On screen (not spoken)", ended: "Conversation over. You can start again.",
      micDenied: "The microphone is blocked: access was refused. Ask staff to allow the " +
        "microphone for this page. The Repeat and Slower buttons still work.",
      micMissing: "No microphone found. Ask staff to connect one.",
      offline: "No connection to the assistant. Reconnecting…" },
  };
  const $ = (id) => document.getElementById(id);
  const kiosk = window.kiosk = {
    lang: params.get("lang") || "ru", token: params.get("token") || "",
    sessionId: "kiosk-" + Math.random().toString(36).slice(2, 10),
    state: "connecting", played: 0, ended: 0, events: [], micError: null, slow: false,
  };
  let ws = null, ctx = null, mic = null, streaming = false, awaiting = false;
  let audioHead = null, audioParts = [], playing = null;

  const t = (key) => (TEXT[kiosk.lang] || TEXT.en)[key];
  function setStatus(key) { kiosk.state = key; $("status").textContent = t(key); }
  function relabel() {
    document.documentElement.lang = kiosk.lang;
    $("title").textContent = t("title");
    $("talk-label").textContent = t("talk");
    $("talk").setAttribute("aria-label", t("talk"));
    $("repeat").textContent = t("repeat");
    $("slower").textContent = kiosk.slow ? t("faster") : t("slower");
    $("screen-title").textContent = t("screen");
    document.querySelectorAll(".lang").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.lang === kiosk.lang)));
    if (TEXT[kiosk.state]) $("status").textContent = t(kiosk.state);
    if (kiosk.micError) $("mic-error").textContent = t(kiosk.micError);
  }
  function addLine(who, text) {
    if (!text) return null;
    const li = document.createElement("li");
    li.className = who; li.textContent = text;
    $("log").prepend(li);
    while ($("log").children.length > 8) $("log").lastChild.remove();
    return li;
  }
  function enable(on) {
    $("talk").disabled = !on || !!kiosk.micError;
    $("repeat").disabled = !on; $("slower").disabled = !on;
  }

  function connect() {
    setStatus("connecting"); enable(false);
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/v1/voice?token=${encodeURIComponent(kiosk.token)}`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => ws.send(JSON.stringify({ type: "config", lang: kiosk.lang,
      sample_rate: audioRate(), device_id: "kiosk-page", session_id: kiosk.sessionId,
      channel: "kiosk" }));
    ws.onmessage = (msg) => typeof msg.data === "string" ? onEvent(JSON.parse(msg.data))
      : audioParts.push(msg.data);
    ws.onclose = () => { enable(false); streaming = false; setStatus("offline");
      setTimeout(connect, 1500); };
  }
  function audioRate() { return Math.min(48000, Math.max(8000, Math.round(context().sampleRate))); }
  function context() { if (!ctx) ctx = new AudioContext(); return ctx; }

  function onEvent(ev) {
    kiosk.events.push(ev);
    switch (ev.type) {
      case "ready": setStatus("ready"); enable(true); break;
      case "partial": if (streaming) $("partial").textContent = ev.text; break;
      case "final": stopStreaming(false); awaiting = true; setStatus("thinking");
        $("partial").textContent = ""; addLine("user", ev.text); break;
      case "reply": ev.texts.forEach((x) => { kiosk.lastReply = addLine("bot", x); }); break;
      case "display": $("display").textContent = ev.text; $("screen").hidden = false; break;
      case "audio": audioHead = ev; audioParts = []; break;
      case "audio-end": play(); break;
      case "stop-audio": stopPlayback(); break;
      case "turn-end": awaiting = false; if (kiosk.state !== "listening") setStatus("ready"); break;
      case "end": setStatus("ended"); kiosk.sessionId = "kiosk-" + Date.now(); break;
      case "error": console.warn("assistant error", ev.code, ev.message); break;
    }
  }

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
    stopPlayback();
    const source = context().createBufferSource();
    source.buffer = buffer; source.connect(context().destination);
    const line = kiosk.lastReply; if (line) line.classList.add("speaking");
    source.onended = () => { kiosk.ended++; if (line) line.classList.remove("speaking");
      if (playing === source) playing = null; };
    playing = source; source.start(); kiosk.played++;
    context().resume();
  }
  function stopPlayback() { if (playing) { try { playing.stop(); } catch (e) { /* done */ } playing = null; } }

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
    if (sendEnd && ws && ws.readyState === 1) { awaiting = true; setStatus("thinking");
      ws.send(JSON.stringify({ type: "end" })); }
  }
  const talk = $("talk");
  talk.addEventListener("pointerdown", startStreaming);
  ["pointerup", "pointercancel", "pointerleave"].forEach((n) =>
    talk.addEventListener(n, () => stopStreaming(true)));
  talk.addEventListener("contextmenu", (e) => e.preventDefault());
  $("repeat").addEventListener("click", () => { context().resume();
    ws.send(JSON.stringify({ type: "repeat" })); });
  $("slower").addEventListener("click", () => { context().resume(); kiosk.slow = !kiosk.slow;
    relabel(); ws.send(JSON.stringify({ type: kiosk.slow ? "slower" : "faster" })); });
  document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => {
    kiosk.lang = b.dataset.lang; relabel(); if (ws) ws.close(); }));

  kiosk.send = (message) => ws && ws.readyState === 1 && ws.send(JSON.stringify(message));
  relabel();
  openMic().finally(connect);
})();
