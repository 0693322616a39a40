// Operator screen: live and recent handoffs over /v1/operator (docs/asterisk-dialplan.md).
"use strict";
(() => {
  const TEXT = {
    ru: { title: "Переводы на оператора", live: "Ждут оператора", recent: "Недавние",
      liveEmpty: "Никто не ждёт.", recentEmpty: "Пока ничего.", connecting: "Подключение…",
      online: "На связи: обновляется сразу", offline: "Нет связи, переподключение…",
      refused: "Доступ запрещён: проверьте токен оператора.", take: "Принять",
      waiting: "ждёт", queued: "в очереди", taken: "принят", waited: "ждал",
      task: "Что нужно", step: "Дошёл до шага", slots: "Данные (скрыты)", turns: "Последние реплики",
      queue: "Очередь", none: "—", user: "Житель", bot: "Помощник",
      channels: { phone: "телефон", kiosk: "киоск", speaker: "колонка", web: "веб" },
      tasks: { booking: "запись к врачу", troika: "Тройка", transport: "транспорт",
        wifi: "Wi-Fi", report: "сообщить о проблеме", queue: "очередь" },
      langs: { ru: "русский", en: "английский", ko: "корейский" } },
    en: { title: "Operator handoffs", live: "Waiting for an operator", recent: "Recent",
      liveEmpty: "Nobody is waiting.", recentEmpty: "Nothing yet.", connecting: "Connecting…",
      online: "Connected: updates live", offline: "Offline, reconnecting…",
      refused: "Access refused: check the operator token.", take: "Take",
      waiting: "waiting", queued: "in queue", taken: "taken", waited: "waited",
      task: "Wants", step: "Step reached", slots: "Details (masked)", turns: "Last turns",
      queue: "Queue", none: "—", user: "Caller", bot: "Assistant",
      channels: { phone: "phone", kiosk: "kiosk", speaker: "speaker", web: "web" },
      tasks: { booking: "doctor's appointment", troika: "Troika", transport: "transport",
        wifi: "Wi-Fi", report: "report a problem", queue: "queue" },
      langs: { ru: "Russian", en: "English", ko: "Korean" } },
  };
  const SLOTS = {
    ru: { specialty: "специальность", date_pref: "дата", slot_choice: "время",
      policy_number: "полис ОМС", birth_date: "дата рождения", booking_ref: "номер записи",
      patient_name: "имя" },
    en: { specialty: "specialty", date_pref: "date", slot_choice: "time",
      policy_number: "health policy", birth_date: "date of birth", booking_ref: "booking ref",
      patient_name: "name" },
  };
  const params = new URLSearchParams(location.search);
  const state = { lang: params.get("lang") === "en" ? "en" : "ru", token: params.get("token") || "",
    items: [], offset: 0, refused: false };
  const t = (key) => TEXT[state.lang][key];
  const $ = (id) => document.getElementById(id);
  let ws = null, status = "connecting";

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const m = Math.floor(s / 60), sec = String(s % 60).padStart(2, "0");
    return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }
  function waited(item) {
    if (item.state === "taken") return item.waited_s;
    return Date.now() / 1000 + state.offset - item.at;
  }
  function step(summary) {
    if (summary.step) return String(summary.step);
    const keys = Object.keys(summary.slots || {});
    if (!keys.length) return t("none");
    const last = keys[keys.length - 1];
    return SLOTS[state.lang][last] || last;
  }
  function card(item) {
    const s = item.summary || {};
    const li = el("li", `card ${item.state}`);
    li.dataset.callId = item.call_id;
    const top = el("div", "top");
    const task = String(s.task || "");
    top.append(el("span", "task", t("tasks")[task] || task || t("none")));
    top.append(el("span", "tag", t("channels")[item.channel] || item.channel));
    top.append(el("span", "tag", t("langs")[item.lang] || item.lang));
    top.append(el("span", "tag state", t(item.state)));
    const wait = el("span", "wait", (item.state === "taken" ? t("waited") + " " : "") +
      duration(waited(item)));
    wait.dataset.role = "wait";
    top.append(wait);
    li.append(top);
    const dl = el("dl");
    const row = (k, v) => { dl.append(el("dt", "", k)); dl.append(el("dd", "", v)); };
    row(t("step"), step(s));
    row(t("queue"), item.queue);
    for (const [k, v] of Object.entries(s.slots || {})) row(SLOTS[state.lang][k] || k, String(v));
    li.append(dl);
    const turns = (item.last_turns && item.last_turns.length) ? item.last_turns : (s.last_turns || []);
    if (turns.length) {
      li.append(el("div", "label", t("turns")));
      const ol = el("ol", "turns");
      for (const turn of turns.slice(-6)) {
        const who = turn.who === "user" ? "user" : "bot";
        ol.append(el("li", who, `${t(who)}: ${turn.text}`));
      }
      li.append(ol);
    }
    if (item.state !== "taken") {
      const take = el("button", "take", t("take"));
      take.addEventListener("click", () => ws && ws.readyState === 1 &&
        ws.send(JSON.stringify({ type: "take", call_id: item.call_id })));
      li.append(take);
    }
    li.append(el("div", "id", item.call_id));
    return li;
  }
  function render() {
    document.documentElement.lang = state.lang;
    document.title = t("title");
    $("title").textContent = t("title");
    $("live-title").textContent = t("live");
    $("recent-title").textContent = t("recent");
    $("live-empty").textContent = t("liveEmpty");
    $("recent-empty").textContent = t("recentEmpty");
    $("status").textContent = state.refused ? t("refused") : t(status);
    $("status").className = status === "online" ? "" : "offline";
    document.querySelectorAll(".lang").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
    const live = state.items.filter((i) => i.state !== "taken");
    const recent = state.items.filter((i) => i.state === "taken");
    $("live").replaceChildren(...live.map(card));
    $("recent").replaceChildren(...recent.map(card));
    $("live-empty").hidden = live.length > 0;
    $("recent-empty").hidden = recent.length > 0;
  }
  function tick() {
    document.querySelectorAll(".card:not(.taken) [data-role=wait]").forEach((node) => {
      const item = state.items.find((i) => i.call_id === node.closest(".card").dataset.callId);
      if (item) node.textContent = duration(waited(item));
    });
  }
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}/v1/operator?token=${encodeURIComponent(state.token)}`);
    let opened = false;
    ws.onopen = () => { opened = true; status = "online"; render(); };
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.type !== "handoffs") return;
      state.offset = data.now - Date.now() / 1000;
      state.items = data.items;
      render();
    };
    ws.onclose = (event) => {
      state.refused = !opened && event.code === 1008;
      status = "offline"; render();
      if (!state.refused) setTimeout(connect, 2000);
    };
  }
  document.querySelectorAll(".lang").forEach((b) => b.addEventListener("click", () => {
    state.lang = b.dataset.lang;
    render();
  }));
  render();
  connect();
  setInterval(tick, 1000);
})();
