/*! RathausCloud – Antrags-Widget v1 · EUPL-1.2
 *
 * <script src="https://intake.example/widget/v1/rathaus-antrag.js" defer></script>
 * <rathaus-antrag town="14729410" procedure="gewerbeanmeldung"></rathaus-antrag>
 *
 * Renders a procedure's form from intake's definition (…/procedures/{id}/form): groups as
 * fieldsets, the JSON Schema's titles and descriptions as labels and help texts, and the
 * `x-show-if`, `x-widget` and `x-labels` annotations (contracts/procedures/base.py). Checks
 * in the browser what it can check with the server's own German messages, asks
 * …/form/check for the rest, uploads files with progress, submits with an Idempotency-Key
 * kept until it succeeded, then shows the case number and the status timeline — and, when
 * the clerk asks something, the question and a form to answer it (text and files).
 *
 * Attributes: town (AGS), procedure (id), api (intake's origin; default: this script's),
 * heading-level (2–6, default 2). Colours and font: CSS custom properties --rathaus-*
 * (README, "Embedding the widget"). Events (bubbling, composed): rathaus-antrag-bereit when
 * the form is ready, rathaus-antrag-eingegangen with {case_number} once it is submitted.
 * Plain JavaScript, no dependencies; nothing here touches the page outside its shadow root.
 */
(() => {
  "use strict";
  const TAG = "rathaus-antrag";
  if (!window.customElements || customElements.get(TAG)) return;

  const script = document.currentScript;
  const DEFAULT_API = script && script.src ? new URL(script.src).origin : location.origin;
  const RADIO_MAX = 7; // more options than this: a select
  const POLL_FIRST_MS = 1500;
  const POLL_MAX_MS = 30000;
  const POLL_TIMES = 40;
  const TIME = new Intl.DateTimeFormat("de-DE", {
    day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin",
  });

  const TEXT = {
    loading: "Das Antragsformular wird geladen …",
    required: "Pflichtangaben sind mit * gekennzeichnet.",
    atHand: "Bitte halten Sie bereit:",
    summary: "Bitte prüfen Sie Ihre Angaben.",
    submit: "Antrag absenden",
    checking: "Ihre Angaben werden geprüft …",
    sending: "Ihr Antrag wird gesendet …",
    notAllowed: "Dieses Antragsformular ist auf dieser Internetseite nicht freigegeben. " +
      "Die Gemeinde hat die Seite nicht für ihre Online-Anträge angemeldet. Bitte wenden Sie " +
      "sich an die Gemeinde oder stellen Sie Ihren Antrag auf ihrer eigenen Internetseite.",
    notOffered: "Dieser Antrag kann hier zurzeit nicht online gestellt werden.",
    embedding: "Das Antragsformular ist nicht richtig eingebunden: die Attribute „town“ " +
      "(Gemeindeschlüssel) und „procedure“ (Verfahren) fehlen oder stimmen nicht.",
    offline: "Das Antragsformular konnte nicht geladen werden. Bitte prüfen Sie Ihre " +
      "Internetverbindung und versuchen Sie es erneut.",
    busy: "Der Dienst ist vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen " +
      "Minuten erneut.",
    retry: "Erneut versuchen",
    keep: " Ihre Angaben bleiben erhalten: Senden Sie den Antrag mit „Antrag absenden“ einfach " +
      "noch einmal – dabei entsteht kein zweiter Antrag.",
    lost: "Die Verbindung ist unterbrochen. Ob Ihr Antrag angekommen ist, wissen wir nicht.",
    unavailable: "Der Dienst ist vorübergehend nicht erreichbar. Ihr Antrag wurde nicht " +
      "gespeichert.",
    uploading: "Bitte warten Sie, bis die Datei hochgeladen ist.",
    uploadLost: "Die Datei konnte nicht hochgeladen werden: keine Verbindung. Bitte wählen Sie " +
      "sie erneut.",
    tooMany: "Zu einem Antrag gehören höchstens {count} Dateien.",
    tooLarge: "Die Datei ist zu groß (höchstens {size}).",
    files: "Unterlagen (freiwillig)",
    chooseFiles: "Dateien auswählen",
    remove: "Entfernen",
    locate: "Meinen Standort verwenden",
    locating: "Ihr Standort wird ermittelt …",
    located: "Ihr Standort wurde übernommen.",
    notLocated: "Ihr Standort konnte nicht ermittelt werden. Bitte geben Sie die Koordinaten ein.",
    received: "Ihr Antrag ist eingegangen",
    caseNumber: "Vorgangsnummer",
    track: "Stand Ihres Antrags verfolgen",
    newWindow: "(öffnet ein neues Fenster)",
    keepLink: "Bitte notieren Sie die Vorgangsnummer. Der Link ist Ihr persönlicher Zugang zum " +
      "Stand Ihres Antrags – bitte geben Sie ihn nicht weiter.",
    status: "Stand Ihres Antrags",
    current: "Aktueller Stand: ",
    notYet: "Ihr Antrag ist eingegangen und erscheint in wenigen Sekunden hier.",
    update: "Stand aktualisieren",
    requestTitle: "Rückfrage der Sachbearbeitung",
    answerBy: "Bitte antworten Sie bis zum {due}.",
    answer: "Ihre Antwort",
    answerFilesHint: "PDF, JPEG oder PNG.",
    sendAnswer: "Antwort senden",
    sendingAnswer: "Ihre Antwort wird gesendet …",
    answerSent: "Ihre Antwort ist eingegangen.",
    answerLost: "Die Verbindung ist unterbrochen. Bitte senden Sie Ihre Antwort erneut – sie " +
      "wird dabei nicht doppelt gespeichert.",
    yes: "Ja",
    no: "Nein",
    choose: "Bitte wählen",
    example: "z. B. ",
    error: "Fehler: ",
  };

  const CSS = `
:host{display:block}
:host([hidden]){display:none}
.w{all:initial;display:block;box-sizing:border-box;max-width:var(--rathaus-breite,42rem);
 --f:var(--rathaus-farbe,#0b4f9c);--fx:var(--rathaus-farbe-text,#fff);
 --e:var(--rathaus-fehlerfarbe,#b3261e);--r:var(--rathaus-radius,4px);
 --k:var(--rathaus-rahmenfarbe,#5f5f5f);
 font:var(--rathaus-schriftgroesse,1rem)/1.5 var(--rathaus-schrift,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
 color:var(--rathaus-textfarbe,#1b1b1b);background:var(--rathaus-hintergrund,#fff)}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
h2,h3,h4,h5,h6{line-height:1.25;margin:1.25em 0 .5em;font-weight:700}
.titel{font-size:1.5em;margin-top:0}.unter{font-size:1.2em}
p{margin:0 0 .75em}ul,ol{margin:0 0 .75em;padding-left:1.5em}
a{color:var(--f);text-decoration:underline}
:focus-visible,input[type=date]:focus-within,input[type=time]:focus-within{
 outline:3px solid var(--rathaus-fokusfarbe,var(--f));outline-offset:2px}
fieldset{border:1px solid #c8c8c8;border-radius:var(--r);margin:0 0 1.25em;padding:.5em 1em .25em;min-width:0}
fieldset fieldset{border-color:#dcdcdc}
legend{font-weight:700;font-size:1.1em;padding:0 .25em}
fieldset.wahl{border:0;padding:0;margin:0 0 1.25em}
fieldset.wahl>legend{font-size:1em;padding:0;margin:0 0 .25em}
.feld{margin:0 0 1.25em}
label{display:block;font-weight:700;margin:0 0 .25em}
.hinweis{color:#4a4a4a;font-size:.9375em;margin:0 0 .35em}
input,select,textarea,button{font:inherit;color:inherit;letter-spacing:inherit}
input[type=text],input[type=email],input[type=date],input[type=time],select,textarea{
 display:block;width:100%;background:#fff;color:#1b1b1b;border:2px solid var(--k);
 border-radius:var(--r);padding:.4em .5em;margin:0}
input.kurz{max-width:14em}
textarea{min-height:7em;resize:vertical}
input::placeholder,textarea::placeholder{color:#5f5f5f;opacity:1}
input[type=file]{display:block;margin:.25em 0;max-width:100%}
.option{display:flex;gap:.6em;align-items:flex-start;margin:.35em 0}
.option input{width:1.25em;height:1.25em;margin:.15em 0 0;flex:none;accent-color:var(--f)}
.option label{font-weight:400;margin:0}
.feld>.option label{font-weight:700}
.punkt{display:flex;flex-wrap:wrap;gap:0 1em}.punkt>.feld{flex:1 1 10em}
button{display:inline-block;font-weight:700;border:2px solid var(--f);border-radius:var(--r);
 padding:.5em 1.1em;background:var(--f);color:var(--fx);cursor:pointer;margin:0 0 1em}
button.zweit{background:#fff;color:var(--f);padding:.3em .8em}
.fehler{color:var(--e);font-weight:700;margin:0 0 .35em}
.ungueltig{border-left:4px solid var(--e);padding-left:.75em}
.ungueltig>input,.ungueltig>select,.ungueltig>textarea{border-color:var(--e)}
.zusammenfassung{border:3px solid var(--e);border-radius:var(--r);padding:.75em 1em 0;margin:0 0 1.5em}
.zusammenfassung h2,.zusammenfassung h3,.zusammenfassung h4,.zusammenfassung h5,.zusammenfassung h6{margin-top:0}
.zusammenfassung a{color:var(--e);font-weight:700}
.meldung{border-left:4px solid var(--f);background:#eef4fb;padding:.75em 1em;margin:0 0 1em}
.meldung.problem{border-color:var(--e);background:#fdf1f0}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;
 clip:rect(0 0 0 0);white-space:nowrap;border:0}
progress{display:block;width:100%;max-width:20em;height:.8em;accent-color:var(--f)}
.dateien{list-style:none;padding:0}
.dateien li{display:flex;flex-wrap:wrap;gap:.25em 1em;align-items:baseline;margin:0 0 .25em}
.dateien button{margin:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em;margin:0 0 1em}
dt{font-weight:700}dd{margin:0;overflow-wrap:anywhere}
.stand{background:#eef4fb;border-left:4px solid var(--f);padding:.75em 1em}
.verlauf li{margin:0 0 .5em}.verlauf time{display:block;color:#4a4a4a;font-size:.9375em}
.frage{margin:0 0 1em;padding:.5em 1em;border-left:4px solid #5f5f5f;background:#f5f5f5;white-space:pre-line}
`;

  // --- small helpers -------------------------------------------------------------------

  /** An element with attributes (on… are listeners, false/null are left out) and children. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  }

  /** `{max_length}` in a server template, filled like pydantic's ctx. */
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  }

  /** `5 MB`, `1,5 MB`, `512 KB` — as intake writes a limit (attachments.size_in_words). */
  function sizeInWords(size) {
    if (size < 1024 * 1024) return `${Math.floor(size / 1024)} KB`;
    return `${(size / 1048576).toFixed(1).replace(/\.0$/, "").replace(".", ",")} MB`;
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  /** sessionStorage, or memory where a browser refuses it. */
  const memory = new Map();
  const store = {
    get(k) { try { return sessionStorage.getItem(k); } catch { return memory.get(k) || null; } },
    set(k, v) { try { sessionStorage.setItem(k, v); } catch { memory.set(k, v); } },
    drop(k) { try { sessionStorage.removeItem(k); } catch { memory.delete(k); } },
  };

  // --- reading the form's JSON Schema (contracts/procedures/base.py) --------------------

  /** A property's schema with its `$ref` and `anyOf: [X, null]` resolved; siblings win. */
  function resolve(prop, defs) {
    const deref = (s) => {
      if (!s || !s.$ref) return s || {};
      const { $ref, ...rest } = s;
      return { ...deref(defs[$ref.split("/").pop()]), ...rest };
    };
    let s = deref(prop);
    let nullable = false;
    if (s.anyOf) {
      const { anyOf, ...rest } = s;
      const alts = anyOf.filter((a) => a.type !== "null");
      nullable = alts.length < anyOf.length;
      // A decimal is `number or string`: entered as a number, the server reads either.
      s = { ...deref(alts.find((a) => a.type === "number") || alts[0]), ...rest, loose: alts.length > 1 };
    }
    if (s.type === "array") s = { ...s, items: deref(s.items) };
    return { s, nullable };
  }

  function kindOf(s, nullable) {
    const widget = s["x-widget"];
    if (widget === "file") return "file";
    if (s.type === "object") return widget === "point" || widget === "section" ? widget : "group";
    if (s.const === true) return "confirm";
    if (s.enum) return s.enum.length <= RADIO_MAX ? "radio" : "select";
    if (s.type === "array") return "checks";
    if (s.type === "boolean") return nullable ? "yesno" : "checkbox";
    if (s.type === "integer" || s.type === "number") return "number";
    return widget === "textarea" ? "textarea" : "text";
  }

  /** Field nodes in property order: groups hold their children. */
  function build(schema, defs, parent) {
    const required = schema.required || [];
    const conditional = (schema.allOf || []).flatMap((rule) => (rule.then && rule.then.required) || []);
    const nodes = Object.entries(schema.properties || {}).map(([key, prop]) => {
      const { s, nullable } = resolve(prop, defs);
      const path = parent ? [...parent.path, key] : [key];
      const node = {
        key, path, s, nullable, parent,
        id: `f-${path.join("-")}`,
        title: s.title || key,
        kind: kindOf(s, nullable),
        required: required.includes(key),
        mandatory: required.includes(key) || conditional.includes(key),
        showIf: s["x-show-if"],
      };
      node.titles = parent ? [...parent.titles, node.title] : [node.title];
      if (["group", "point", "section"].includes(node.kind)) node.children = build(s, defs, node);
      return node;
    });
    for (const node of nodes) node.siblings = nodes;
    return nodes;
  }

  function* walk(nodes) {
    for (const node of nodes) {
      yield node;
      if (node.children) yield* walk(node.children);
    }
  }

  /** Whether `x-show-if` holds (Condition.holds in contracts/procedures/base.py). */
  function holds(rule, value) {
    if (rule.not_in) return value != null && !rule.not_in.includes(value);
    if (rule.one_of) return rule.one_of.includes(value);
    return value === rule.equals;
  }

  const PERSONAL = {
    family_name: "family-name", given_names: "given-name", email: "email", phone: "tel",
    birth_date: "bday", street: "street-address", postcode: "postal-code", city: "address-level2",
  };

  /** `autocomplete` for the applicant's own data (WCAG 1.3.5): groups that hold an e-mail. */
  function autocompleteOf(node) {
    const own = (group) => group && group.children.some((c) => c.key === "email");
    const parent = node.parent;
    if (own(parent)) return node.key === "name" ? "name" : PERSONAL[node.key];
    if (parent && parent.key === "address" && own(parent.parent)) return PERSONAL[node.key];
    return null;
  }

  // --- the element -----------------------------------------------------------------------

  class RathausAntrag extends HTMLElement {
    static get observedAttributes() { return ["town", "procedure", "api"]; }

    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      if ("adoptedStyleSheets" in this.root && window.CSSStyleSheet) {
        // A constructed sheet: allowed by a page's strict style-src as well.
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        this.root.adoptedStyleSheets = [sheet];
      } else {
        this.root.append(h("style", {}, CSS));
      }
      this.frame = h("div", { class: "w", lang: "de" });
      this.root.append(this.frame);
    }

    connectedCallback() {
      if (!this.started) {
        this.started = true;
        queueMicrotask(() => this.load());
      }
    }

    disconnectedCallback() { clearTimeout(this.timer); }

    attributeChangedCallback(name, before, after) {
      if (this.started && before !== after) this.load();
    }

    get api() { return (this.getAttribute("api") || DEFAULT_API).replace(/\/+$/, ""); }
    get town() { return this.getAttribute("town") || ""; }
    get procedure() { return this.getAttribute("procedure") || ""; }
    get base() {
      const town = encodeURIComponent(this.town), procedure = encodeURIComponent(this.procedure);
      return `${this.api}/api/v1/towns/${town}/procedures/${procedure}`;
    }
    get slot() { return `${TAG}|${this.api}|${this.town}|${this.procedure}`; }

    heading(offset, attrs, text) {
      const level = Math.min(Math.max(parseInt(this.getAttribute("heading-level"), 10) || 2, 2), 6);
      return h(`h${Math.min(level + offset, 6)}`, attrs, text);
    }

    /** The application's Idempotency-Key: one per application, kept until it succeeded. */
    key() {
      let key = store.get(this.slot);
      if (!key) store.set(this.slot, (key = newKey()));
      return key;
    }

    emit(name, detail) {
      this.dispatchEvent(new CustomEvent(`${TAG}-${name}`, { bubbles: true, composed: true, detail }));
    }

    show(...children) {
      this.frame.replaceChildren(...children.flat().filter((c) => c != null));
    }

    problem(text, retry) {
      const again = retry && h("button", { type: "button", onclick: () => this.load() }, TEXT.retry);
      this.show(h("div", { class: "meldung problem", role: "alert" }, h("p", {}, text), again));
    }

    async call(method, url, body, key) {
      const headers = {};
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (key) headers["Idempotency-Key"] = key;
      const init = { method, headers, credentials: "omit", cache: "no-store" };
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await fetch(url, init);
      let data = null;
      try { data = await response.json(); } catch { data = null; }
      return { status: response.status, body: data || {}, retryAfter: response.headers.get("Retry-After") };
    }

    /** The API did not answer readably: refused for this page (CORS), or not reachable. */
    async reachable() {
      try {
        return (await fetch(`${this.api}/widget/v1/manifest.json`, { credentials: "omit", cache: "no-store" })).ok;
      } catch {
        return false;
      }
    }

    async load() {
      clearTimeout(this.timer);
      if (!/^\d{8}$/.test(this.town) || !/^[a-z0-9-]+$/.test(this.procedure)) {
        this.problem(TEXT.embedding);
        return;
      }
      this.show(h("p", { class: "meldung", role: "status" }, TEXT.loading));
      let answer;
      try {
        answer = await this.call("GET", `${this.base}/form`);
      } catch {
        if (await this.reachable()) this.problem(TEXT.notAllowed);
        else this.problem(TEXT.offline, true);
        return;
      }
      if (answer.status === 200) {
        this.definition = answer.body;
        this.render();
        this.emit("bereit", { town: this.town, procedure: this.procedure });
      } else if (answer.status === 403) {
        this.problem(TEXT.notAllowed);
      } else if (answer.status === 404) {
        this.problem(`${TEXT.notOffered} ${answer.body.detail || ""}`.trim());
      } else {
        this.problem(TEXT.busy, true);
      }
    }

    // --- the form --------------------------------------------------------------------------

    render() {
      const d = this.definition;
      const schema = d.schema || {};
      this.messages = d.messages || {};
      this.rule = d.attachments || { max_count: 0 };
      this.nodes = build(schema, schema.$defs || {}, null);
      this.files = [];
      this.summary = h("div", { class: "zusammenfassung", role: "group", tabindex: "-1", hidden: true, "aria-labelledby": "zf-titel" });
      this.alert = h("div", { role: "alert" });
      this.status = h("p", { role: "status", class: "hinweis" });
      const town = d.town ? d.town.official_name || d.town.name : "";
      const office = [d.competent_office, town].filter(Boolean).join(", ");
      const about = [d.fee_hint, d.contact, d.opening_hours].filter(Boolean).map((text) => h("p", { class: "hinweis" }, text));
      const atHand = (d.have_at_hand || []).length
        ? [h("p", {}, TEXT.atHand), h("ul", {}, d.have_at_hand.map((item) => h("li", {}, item)))]
        : [];
      this.form = h(
        "form",
        { novalidate: true, "aria-labelledby": "titel", onsubmit: (e) => this.submit(e), oninput: () => this.refresh(), onchange: () => this.refresh() },
        this.summary,
        this.nodes.map((node) => this.field(node)),
        this.rule.max_count > 0 ? this.attachmentsField() : null,
        this.alert,
        h("button", { type: "submit", id: "absenden" }, TEXT.submit),
        this.status,
      );
      this.show(
        this.heading(0, { id: "titel", class: "titel" }, d.title || ""),
        d.description ? h("p", {}, d.description) : null,
        office ? h("p", { class: "hinweis" }, office, d.legal_basis ? ` · ${d.legal_basis}` : "") : null,
        about,
        atHand,
        h("p", { class: "hinweis" }, TEXT.required),
        this.form,
      );
      this.refresh();
    }

    field(node) {
      if (node.children) return this.group(node);
      if (["radio", "checks", "yesno"].includes(node.kind)) return this.choice(node);
      if (node.kind === "checkbox" || node.kind === "confirm") return this.checkbox(node);
      if (node.kind === "file") return this.fileField(node);
      return this.input(node);
    }

    mark(node, inGroup) {
      if (!node.mandatory) return null;
      return [h("span", { "aria-hidden": "true" }, " *"), inGroup ? h("span", { class: "sr" }, " (Pflichtangabe)") : null];
    }

    hint(node, extra) {
      const text = [node.s.description !== node.title ? node.s.description : "", extra].filter(Boolean).join(" ");
      return text ? h("p", { class: "hinweis", id: `${node.id}-hinweis` }, text) : null;
    }

    /** Wires a leaf: its wrapper, its focusable controls, where errors go. */
    leaf(node, wrapper, controls, anchor) {
      node.el = wrapper;
      node.controls = controls;
      node.anchor = anchor;
      node.described = node.s.description && node.s.description !== node.title ? `${node.id}-hinweis` : "";
      for (const c of controls) if (node.described) c.setAttribute("aria-describedby", node.described);
      return wrapper;
    }

    input(node) {
      const s = node.s;
      const format = s.format;
      const numeric = node.kind === "number";
      const attrs = {
        id: node.id,
        "aria-required": node.mandatory ? "true" : null,
        autocomplete: autocompleteOf(node),
        placeholder: s.examples && s.examples.length ? TEXT.example + s.examples[0] : null,
      };
      let control;
      if (node.kind === "textarea") {
        control = h("textarea", { ...attrs, rows: "5" });
      } else if (node.kind === "select") {
        const labels = s["x-labels"] || {};
        control = h("select", attrs, h("option", { value: "" }, TEXT.choose), s.enum.map((v) => h("option", { value: v }, labels[v] || v)));
      } else {
        const type = { date: "date", time: "time", email: "email" }[format] || "text";
        const short = numeric || type === "date" || type === "time" || (s.maxLength && s.maxLength <= 20) || s.pattern;
        control = h("input", {
          ...attrs, type, class: short ? "kurz" : null,
          inputmode: numeric ? (s.type === "integer" ? "numeric" : "decimal") : null,
          spellcheck: type === "email" ? "false" : null,
        });
      }
      if (s.default != null && typeof s.default !== "object") control.value = String(s.default);
      const label = h("label", { for: node.id }, node.title, this.mark(node));
      const wrapper = h("div", { class: "feld" }, label, this.hint(node));
      wrapper.append(control);
      return this.leaf(node, wrapper, [control], control);
    }

    choice(node) {
      const s = node.s;
      let options;
      if (node.kind === "yesno") options = [[true, TEXT.yes], [false, TEXT.no]];
      else {
        const source = node.kind === "checks" ? s.items : s;
        const labels = source["x-labels"] || {};
        options = (source.enum || []).map((v) => [v, labels[v] || String(v)]);
      }
      const type = node.kind === "checks" ? "checkbox" : "radio";
      const inputs = [];
      const rows = options.map(([value, text], i) => {
        const input = h("input", { type, id: `${node.id}--${i}`, name: node.id, value: String(value) });
        input.checked = node.kind !== "checks" && s.default === value;
        input.dataset.value = JSON.stringify(value);
        inputs.push(input);
        return h("div", { class: "option" }, input, h("label", { for: input.id }, text));
      });
      const wrapper = h("fieldset", { class: "wahl", id: node.id }, h("legend", {}, node.title, this.mark(node, true)), this.hint(node), rows);
      this.leaf(node, wrapper, inputs, rows[0] || null);
      if (node.described) {
        for (const input of inputs) input.removeAttribute("aria-describedby");
        wrapper.setAttribute("aria-describedby", node.described);
      }
      return wrapper;
    }

    checkbox(node) {
      const input = h("input", { type: "checkbox", id: node.id, "aria-required": node.mandatory ? "true" : null });
      input.checked = node.s.default === true;
      const row = h("div", { class: "option" }, input, h("label", { for: node.id }, node.title, this.mark(node)));
      const wrapper = h("div", { class: "feld" }, row, this.hint(node));
      this.leaf(node, wrapper, [input], row);
      return wrapper;
    }

    group(node) {
      const wrapper = h("fieldset", { id: node.id, class: node.kind }, h("legend", {}, node.title), this.hint(node));
      const inner = node.children.map((child) => this.field(child));
      if (node.kind === "point") {
        wrapper.append(h("div", { class: "punkt" }, inner));
        if ("geolocation" in navigator && window.isSecureContext) wrapper.append(this.locator(node));
      } else {
        wrapper.append(...inner);
      }
      node.el = wrapper;
      node.controls = [];
      node.anchor = wrapper.querySelector("legend").nextSibling;
      return wrapper;
    }

    locator(node) {
      const said = h("p", { class: "hinweis", role: "status" });
      const locate = () => {
        said.textContent = TEXT.locating;
        navigator.geolocation.getCurrentPosition(
          (position) => {
            const [lat, lon] = node.children;
            lat.controls[0].value = position.coords.latitude.toFixed(6);
            lon.controls[0].value = position.coords.longitude.toFixed(6);
            said.textContent = TEXT.located;
          },
          () => { said.textContent = TEXT.notLocated; },
          { enableHighAccuracy: true, timeout: 15000 },
        );
      };
      return h("div", {}, h("button", { type: "button", class: "zweit", onclick: locate }, TEXT.locate), said);
    }

    // --- files -------------------------------------------------------------------------

    accept() { return (this.rule.content_types || []).join(","); }

    fileField(node) {
      const input = h("input", { type: "file", id: node.id, accept: this.accept(), "aria-required": node.mandatory ? "true" : null });
      const progress = h("progress", { max: "100", value: "0", hidden: true, "aria-label": `${node.title}: Fortschritt` });
      const said = h("p", { class: "hinweis", "aria-live": "polite" });
      const hint = this.hint(node, this.rule.hint);
      const wrapper = h("div", { class: "feld" }, h("label", { for: node.id }, node.title, this.mark(node)), hint, input, progress, said);
      node.said = said;
      input.addEventListener("change", async () => {
        const [file] = input.files;
        if (!file) return;
        node.value = null;
        const done = await this.upload(file, node, progress, said);
        if (done) {
          node.value = done.attachment_id;
          node.fileName = done.filename;
        }
        input.value = "";
      });
      this.leaf(node, wrapper, [input], input);
      node.described = hint ? hint.id : "";
      if (hint) input.setAttribute("aria-describedby", node.described);
      return wrapper;
    }

    attachmentsField() {
      const node = { key: "attachments", id: "f-anlagen", title: TEXT.files, titles: [TEXT.files], s: {}, kind: "attachments" };
      const input = h("input", { type: "file", id: "f-anlagen-datei", accept: this.accept(), multiple: this.rule.max_count > 1 });
      const progress = h("progress", { max: "100", value: "0", hidden: true, "aria-label": `${TEXT.files}: Fortschritt` });
      const said = h("p", { class: "hinweis", "aria-live": "polite" });
      const list = h("ul", { class: "dateien" });
      const wrapper = h(
        "fieldset", { id: node.id, "aria-describedby": "f-anlagen-hinweis" },
        h("legend", {}, TEXT.files),
        h("p", { class: "hinweis", id: "f-anlagen-hinweis" }, this.rule.hint || ""),
        h("label", { for: input.id }, TEXT.chooseFiles), input, progress, said, list,
      );
      const redraw = () => {
        list.replaceChildren(...this.files.map((file) => h(
          "li", {},
          h("span", {}, `${file.filename} (${sizeInWords(Math.max(file.size, 1024))})`),
          h("button", {
            type: "button", class: "zweit", "aria-label": `${file.filename} ${TEXT.remove.toLowerCase()}`,
            onclick: () => { this.files = this.files.filter((f) => f !== file); redraw(); input.focus(); },
          }, TEXT.remove),
        )));
      };
      input.addEventListener("change", async () => {
        for (const file of [...input.files]) {
          const done = await this.upload(file, node, progress, said);
          if (!done) break;
          this.files.push(done);
          redraw();
        }
        input.value = "";
      });
      node.el = wrapper;
      node.controls = [input];
      node.anchor = input.previousSibling;
      node.described = "f-anlagen-hinweis";
      node.said = said;
      this.attachNode = node;
      return wrapper;
    }

    count() {
      let n = this.files.length;
      for (const node of walk(this.nodes)) if (node.kind === "file" && node.value && this.visible(node)) n += 1;
      return n;
    }

    /** One file to …/attachments (XHR for its upload progress); the answer, or null.
     *  `to`: where and under which key, how many there are and the limits (default: the
     *  application's). */
    async upload(file, node, progress, said, to) {
      to = to || { url: `${this.base}/attachments`, key: this.key(), count: () => this.count(), rule: this.rule };
      this.clearError(node);
      const fail = (message) => {
        said.textContent = "";
        this.setError(node, message);
        said.textContent = TEXT.error + message;
        return null;
      };
      if (to.count() + 1 > to.rule.max_count) return fail(fill(TEXT.tooMany, { count: to.rule.max_count }));
      if (to.rule.max_bytes && file.size > to.rule.max_bytes) return fail(fill(TEXT.tooLarge, { size: sizeInWords(to.rule.max_bytes) }));
      node.busy = true;
      progress.hidden = false;
      progress.value = 0;
      let announced = -1;
      const step = (share) => {
        const percent = Math.round(share * 100);
        progress.value = percent;
        if (percent - announced >= 25 || percent === 100) {
          announced = percent;
          said.textContent = `${file.name} wird hochgeladen: ${percent} %`;
        }
      };
      step(0);
      try {
        const answer = await new Promise((resolve, reject) => {
          const xhr = new XMLHttpRequest();
          xhr.open("POST", to.url);
          xhr.setRequestHeader("Idempotency-Key", to.key);
          xhr.upload.addEventListener("progress", (e) => e.lengthComputable && step(e.loaded / e.total));
          xhr.addEventListener("load", () => {
            let body = {};
            try { body = JSON.parse(xhr.responseText); } catch { body = {}; }
            resolve({ status: xhr.status, body });
          });
          xhr.addEventListener("error", reject);
          xhr.addEventListener("abort", reject);
          const data = new FormData();
          data.append("file", file, file.name);
          xhr.send(data);
        });
        if (answer.status !== 201) return fail(answer.body.detail || answer.body.title || TEXT.uploadLost);
        step(1);
        said.textContent = `${answer.body.filename} (${sizeInWords(Math.max(answer.body.size, 1024))}) ist hochgeladen.`;
        return answer.body;
      } catch {
        return fail(TEXT.uploadLost);
      } finally {
        node.busy = false;
        progress.hidden = true;
      }
    }

    // --- values and checks ---------------------------------------------------------------

    /** What a field holds as the condition of another sees it (null when empty). */
    raw(node) {
      const c = node.controls || [];
      switch (node.kind) {
        case "radio": case "yesno": {
          const on = c.find((i) => i.checked);
          return on ? JSON.parse(on.dataset.value) : null;
        }
        case "checks": return c.filter((i) => i.checked).map((i) => JSON.parse(i.dataset.value));
        case "checkbox": case "confirm": return c[0].checked;
        case "file": return node.value || null;
        default: return c.length && c[0].value.trim() !== "" ? c[0].value.trim() : null;
      }
    }

    visible(node) {
      for (let n = node; n; n = n.parent) if (n.el && n.el.hidden) return false;
      return true;
    }

    refresh() {
      for (const node of walk(this.nodes)) {
        if (!node.showIf) continue;
        const when = node.siblings.find((n) => n.key === node.showIf.field);
        const shown = !!when && holds(node.showIf, this.raw(when));
        if (node.el.hidden === shown) {
          node.el.hidden = !shown;
          if (!shown) for (const n of walk([node])) this.clearError(n);
        }
      }
    }

    /** The form as the server reads it, and the errors the browser can find itself. */
    collect(nodes, errors) {
      const out = {};
      for (const node of nodes) {
        if (!this.visible(node)) {
          if (node.required && node.nullable) out[node.key] = null;
          continue;
        }
        const value = node.children ? this.collectGroup(node, errors) : this.value(node, errors);
        if (value !== undefined) out[node.key] = value;
        else if (node.mandatory && !node.children) {
          const confirm = node.kind === "confirm" && this.messages.confirm;
          if (confirm) out[node.key] = false;
          this.fault(errors, node, confirm || this.message("missing"), "missing");
        }
      }
      return out;
    }

    collectGroup(node, errors) {
      const mine = [];
      const value = this.collect(node.children, mine);
      const empty = [...walk(node.children)].every((n) => n.children || this.raw(n) == null || this.raw(n) === false || (Array.isArray(this.raw(n)) && !this.raw(n).length));
      if (!node.mandatory && empty) return undefined;
      errors.push(...mine);
      return value;
    }

    fault(errors, node, message, type) {
      const field = node.path ? `form.${node.path.join(".")}` : node.key;
      errors.push({ field, message, type, node });
    }

    /** A served German message (the server's own template), filled in. */
    message(kind, values) {
      return fill(this.messages[kind] || this.messages.missing || "Diese Angabe ist ungültig.", values || {});
    }

    /** One field's value (undefined: empty), checked as pydantic would. */
    value(node, errors) {
      const s = node.s;
      const control = node.controls[0];
      switch (node.kind) {
        case "radio": case "yesno": { const v = this.raw(node); return v == null ? undefined : v; }
        case "checks": return this.raw(node);
        case "checkbox": return control.checked;
        case "confirm": return control.checked ? true : undefined;
        case "file":
          if (node.busy) this.fault(errors, node, TEXT.uploading, "uploading");
          return node.value || undefined;
        default: break;
      }
      if (control.validity && control.validity.badInput) {
        this.fault(errors, node, this.message(s.format === "date" ? "date_parsing" : "string_pattern_mismatch"), "parsing");
        return null;
      }
      const text = this.raw(node);
      if (text == null) return undefined;
      if (node.kind === "number") return this.number(node, text, errors);
      const [kind, values] =
        s.minLength != null && text.length < s.minLength ? ["string_too_short", { min_length: s.minLength }]
          : s.maxLength != null && text.length > s.maxLength ? ["string_too_long", { max_length: s.maxLength }]
            : s.pattern && !this.matches(s.pattern, text) ? ["string_pattern_mismatch", { pattern: s.pattern }]
              : [];
      if (kind) this.fault(errors, node, this.message(kind, values), kind);
      return text;
    }

    matches(pattern, text) {
      try { return new RegExp(pattern).test(text); } catch { return true; } // the server decides
    }

    number(node, text, errors) {
      const s = node.s;
      const plain = text.replace(/\s/g, "").replace(",", ".");
      const integer = s.type === "integer";
      if (!(integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)$/).test(plain)) {
        if (!s.loose) this.fault(errors, node, this.message(integer ? "int_parsing" : "float_parsing"), "parsing");
        return text; // a decimal: the server says what is wrong with it
      }
      const v = Number(plain);
      const bounds = [
        ["minimum", (x) => x >= s.minimum, "greater_than_equal", "ge"],
        ["maximum", (x) => x <= s.maximum, "less_than_equal", "le"],
        ["exclusiveMinimum", (x) => x > s.exclusiveMinimum, "greater_than", "gt"],
        ["exclusiveMaximum", (x) => x < s.exclusiveMaximum, "less_than", "lt"],
      ];
      for (const [keyword, ok, type, name] of bounds) {
        if (s[keyword] != null && !ok(v)) {
          this.fault(errors, node, this.message(type, { [name]: s[keyword] }), type);
          break;
        }
      }
      return v;
    }

    // --- errors --------------------------------------------------------------------------

    /** The node a server error's field (`form.applicant.birth_date`) is about, if shown. */
    nodeOf(field) {
      if (field === "attachments" || field.startsWith("attachments.")) return this.attachNode;
      let path = field.replace(/^form\.?/, "");
      const all = [...walk(this.nodes)];
      while (path) {
        const found = all.find((n) => n.path.join(".") === path);
        if (found) return this.visible(found) ? found : null;
        path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
      }
      return null;
    }

    setError(node, message) {
      if (!node || !node.el || node.errorEl) return;
      const id = `${node.id}-fehler`;
      node.errorEl = h("p", { class: "fehler", id }, h("span", { class: "sr" }, TEXT.error), message);
      node.el.classList.add("ungueltig");
      node.el.insertBefore(node.errorEl, node.anchor || null);
      const described = [node.described, id].filter(Boolean).join(" ");
      if (node.controls.length && node.kind !== "radio" && node.kind !== "checks" && node.kind !== "yesno") {
        for (const c of node.controls) {
          c.setAttribute("aria-invalid", "true");
          c.setAttribute("aria-describedby", described);
        }
      } else {
        node.el.setAttribute("aria-describedby", described);
        for (const c of node.controls) c.setAttribute("aria-invalid", "true");
      }
    }

    clearError(node) {
      if (!node || !node.errorEl) return;
      node.errorEl.remove();
      node.errorEl = null;
      node.el.classList.remove("ungueltig");
      for (const c of node.controls) {
        c.removeAttribute("aria-invalid");
        if (c.getAttribute("aria-describedby")) {
          if (node.described && node.el.tagName !== "FIELDSET") c.setAttribute("aria-describedby", node.described);
          else c.removeAttribute("aria-describedby");
        }
      }
      if (node.el.tagName === "FIELDSET") {
        if (node.described) node.el.setAttribute("aria-describedby", node.described);
        else node.el.removeAttribute("aria-describedby");
      }
    }

    clearErrors() {
      for (const node of walk(this.nodes)) this.clearError(node);
      this.clearError(this.attachNode);
      this.summary.hidden = true;
      this.summary.replaceChildren();
      this.alert.replaceChildren();
    }

    /** Where the keyboard goes for a wrong field: its (checked) control or the group's first. */
    target(node) {
      if (node.kind === "radio" || node.kind === "yesno") return node.controls.find((c) => c.checked) || node.controls[0];
      if (node.controls.length) return node.controls[0];
      return node.el.querySelector("input,select,textarea,button");
    }

    /** Each error at its field, all of them in the summary, and the summary focused. */
    showErrors(errors, title) {
      this.clearErrors();
      const items = errors.map((error) => {
        const node = error.node || this.nodeOf(error.field || "");
        this.setError(node, error.message);
        const label = node ? `${node.titles.join(" – ")}: ${error.message}` : error.message;
        if (!node) return h("li", {}, label);
        const target = this.target(node);
        return h("li", {}, h("a", {
          href: `#${target ? target.id : node.id}`,
          onclick: (e) => {
            e.preventDefault();
            node.el.scrollIntoView({ block: "center" });
            if (target) target.focus({ preventScroll: true });
          },
        }, label));
      });
      this.summary.replaceChildren(this.heading(1, { id: "zf-titel", class: "unter" }, title || TEXT.summary), h("ul", {}, items));
      this.summary.hidden = false;
      this.status.textContent = "";
      this.summary.focus();
    }

    say(text, keep) {
      this.status.textContent = "";
      this.alert.replaceChildren(h("div", { class: "meldung problem" }, h("p", {}, text + (keep ? TEXT.keep : ""))));
    }

    // --- submitting ----------------------------------------------------------------------

    async submit(event) {
      event.preventDefault();
      if (this.busy) return;
      const errors = [];
      const form = this.collect(this.nodes, errors);
      if (this.attachNode && this.attachNode.busy) this.fault(errors, this.attachNode, TEXT.uploading, "uploading");
      if (errors.length) {
        this.showErrors(errors);
        return;
      }
      const fileIds = [...walk(this.nodes)].filter((n) => n.kind === "file" && n.value && this.visible(n)).map((n) => n.value);
      const body = { form, attachments: [...fileIds, ...this.files.map((f) => f.attachment_id)] };
      this.busy = true;
      this.clearErrors();
      try {
        this.status.textContent = TEXT.checking;
        const checked = await this.call("POST", `${this.base}/form/check`, body);
        if (checked.status === 422) return this.showErrors(checked.body.errors || [], checked.body.title);
        if (checked.status !== 200) return this.refused(checked);
        this.status.textContent = TEXT.sending;
        const answer = await this.call("POST", `${this.base}/applications`, body, this.key());
        if (answer.status === 200 || answer.status === 201) return this.received(answer.body);
        if (answer.status === 422) return this.showErrors(answer.body.errors || [], answer.body.title);
        return this.refused(answer);
      } catch {
        return this.say(TEXT.lost, true);
      } finally {
        this.busy = false;
      }
    }

    refused(answer) {
      const detail = answer.body.detail || answer.body.title || "";
      if (answer.status === 403) return this.say(TEXT.notAllowed);
      if (answer.status === 503) {
        const wait = answer.retryAfter ? ` Bitte versuchen Sie es in ${answer.retryAfter} Sekunden erneut.` : "";
        return this.say(TEXT.unavailable + wait, true);
      }
      if (answer.status === 429) return this.say(detail, true);
      if (answer.status === 404) return this.say(`${TEXT.notOffered} ${detail}`.trim());
      return this.say(detail || TEXT.busy, answer.status >= 500);
    }

    // --- after it is in ------------------------------------------------------------------

    received(accepted) {
      store.drop(this.slot);
      const d = this.definition;
      const title = this.heading(0, { id: "ok-titel", class: "titel", tabindex: "-1" }, TEXT.received);
      this.current = h("p", { class: "stand", role: "status" }, TEXT.notYet);
      this.steps = h("ol", { class: "verlauf" });
      this.shown = "";
      this.forms = new Map();
      this.statusUrl = accepted.status_url;
      this.show(
        h("section", { "aria-labelledby": "ok-titel" },
          title,
          h("p", {}, accepted.message || ""),
          h("dl", {},
            h("dt", {}, TEXT.caseNumber), h("dd", { id: "vorgangsnummer" }, accepted.case_number || accepted.application_id),
            h("dt", {}, "Verfahren"), h("dd", {}, d.title || ""),
            d.town ? [h("dt", {}, "Gemeinde"), h("dd", {}, d.town.name || "")] : null),
          h("p", {}, h("a", { href: accepted.status_page_url, target: "_blank", rel: "noopener" }, TEXT.track, ` ${TEXT.newWindow}`)),
          h("p", { class: "hinweis" }, TEXT.keepLink)),
        h("section", { "aria-labelledby": "stand-titel" },
          this.heading(1, { id: "stand-titel", class: "unter" }, TEXT.status),
          this.current,
          this.requestsEl = h("div", {}),
          this.steps,
          h("button", { type: "button", class: "zweit", id: "aktualisieren", onclick: () => this.poll(0) }, TEXT.update)),
      );
      title.focus();
      this.emit("eingegangen", { case_number: accepted.case_number, procedure: this.procedure });
      this.polls = 0;
      this.poll(POLL_FIRST_MS);
    }

    /** Asks for the status now, then again later (each time a little later), for a while. */
    async poll(next) {
      clearTimeout(this.timer);
      try {
        const answer = await this.call("GET", this.statusUrl);
        if (answer.status === 200) this.timeline(answer.body);
      } catch {
        // offline for a moment: the next round asks again
      }
      this.polls += 1;
      if (this.isConnected && this.polls < POLL_TIMES) {
        const wait = Math.min(Math.max(next, POLL_FIRST_MS), POLL_MAX_MS);
        this.timer = setTimeout(() => this.poll(wait * 1.5), wait);
      }
    }

    timeline(status) {
      this.requestForms(status);
      const seen = JSON.stringify([status.status_label, status.timeline]);
      if (seen === this.shown) return;
      this.shown = seen;
      this.current.replaceChildren(TEXT.current, h("strong", {}, status.status_label || ""));
      this.steps.replaceChildren(...(status.timeline || []).map((step) => {
        const stamp = String(step.occurred_at);
        const when = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(stamp) ? stamp : `${stamp}Z`); // naive is UTC
        return h("li", {}, h("span", {}, step.label), " ", h("time", { datetime: when.toISOString() }, `${TIME.format(when)} Uhr`));
      }));
    }
  }

  RathausAntrag.prototype.requestForms = function requestForms(status) {
    const open = status.open_requests || [];
    for (const [id, form] of this.forms) {
      if (!form.busy && !form.answered && !open.some((r) => r.request_id === id)) {
        form.el.remove();
        this.forms.delete(id);
      }
    }
    for (const request of open) {
      if (this.forms.has(request.request_id)) continue;
      const form = this.requestForm(request, status.attachments_url);
      this.forms.set(request.request_id, form);
      this.requestsEl.append(form.el);
    }
  };

  /** A request for information: the question, its due date, and a form to answer it. */
  RathausAntrag.prototype.requestForm = function requestForm(request, attachmentsUrl) {
    const id = `r-${request.request_id}`;
    const form = { key: newKey(), files: [], busy: false, answered: false };
    const text = h("textarea", { id: `${id}-text`, rows: "5", "aria-required": "true" });
    const textNode = { id: text.id, controls: [text], described: "", anchor: text };
    textNode.el = h("div", { class: "feld" }, h("label", { for: text.id }, TEXT.answer, h("span", { "aria-hidden": "true" }, " *")), text);
    const input = h("input", { type: "file", id: `${id}-datei`, accept: "application/pdf,image/jpeg,image/png", multiple: true, "aria-describedby": `${id}-hinweis` });
    const progress = h("progress", { max: "100", value: "0", hidden: true, "aria-label": `${TEXT.files}: Fortschritt` });
    const said = h("p", { class: "hinweis", "aria-live": "polite" });
    const list = h("ul", { class: "dateien" });
    const fileNode = { id: input.id, controls: [input], described: `${id}-hinweis`, anchor: input };
    fileNode.el = h("div", { class: "feld" }, h("label", { for: input.id }, TEXT.files),
      h("p", { class: "hinweis", id: `${id}-hinweis` }, TEXT.answerFilesHint), input, progress, said, list);
    const rule = { max_count: (this.rule && this.rule.max_count) || 5, max_bytes: this.rule && this.rule.max_bytes };
    input.addEventListener("change", async () => {
      for (const file of [...input.files]) {
        const to = { url: attachmentsUrl, key: form.key, count: () => form.files.length, rule };
        const done = await this.upload(file, fileNode, progress, said, to);
        if (!done) break;
        form.files.push(done);
        list.replaceChildren(...form.files.map((f) => h("li", {}, `${f.filename} (${sizeInWords(Math.max(f.size, 1024))})`)));
      }
      input.value = "";
    });
    const title = this.heading(2, { id: `${id}-titel`, class: "unter", tabindex: "-1" }, TEXT.requestTitle);
    const state = { status: h("p", { role: "status", class: "hinweis" }), alert: h("div", { role: "alert" }) };
    const due = String(request.due).split("-").reverse().join(".");
    form.el = h("section", { "aria-labelledby": title.id }, title,
      h("p", {}, fill(TEXT.answerBy, { due })),
      request.question ? h("blockquote", { class: "frage" }, request.question) : null,
      h("form", { novalidate: true, onsubmit: (e) => this.sendAnswer(e, request, form, textNode, fileNode, state) },
        textNode.el, fileNode.el, state.alert,
        h("button", { type: "submit", id: `${id}-senden` }, TEXT.sendAnswer), state.status));
    return form;
  };

  /** Sends an answer with its files' ids, under a key kept until it succeeded. */
  RathausAntrag.prototype.sendAnswer = async function sendAnswer(event, request, form, textNode, fileNode, state) {
    event.preventDefault();
    if (form.busy) return;
    this.clearError(textNode);
    this.clearError(fileNode);
    state.alert.replaceChildren();
    if (fileNode.busy) return this.setError(fileNode, TEXT.uploading);
    form.busy = true;
    state.status.textContent = TEXT.sendingAnswer;
    try {
      const body = { answer: textNode.controls[0].value, attachments: form.files.map((f) => f.attachment_id) };
      const answer = await this.call("POST", request.answer_url, body, form.key);
      state.status.textContent = "";
      if (answer.status === 200 || answer.status === 201) {
        const thanks = h("p", { class: "meldung", role: "status", tabindex: "-1" }, answer.body.message || TEXT.answerSent);
        form.el.replaceChildren(form.el.firstChild, thanks);
        form.answered = true;
        thanks.focus();
        this.poll(0);
      } else if (answer.status === 422) {
        for (const error of answer.body.errors || []) {
          this.setError(String(error.field).startsWith("attachments") ? fileNode : textNode, error.message);
        }
        (textNode.errorEl ? textNode : fileNode).controls[0].focus();
      } else {
        state.alert.replaceChildren(h("div", { class: "meldung problem" }, h("p", {}, answer.body.detail || answer.body.title || TEXT.busy)));
      }
    } catch {
      state.status.textContent = "";
      state.alert.replaceChildren(h("div", { class: "meldung problem" }, h("p", {}, TEXT.answerLost)));
    } finally {
      form.busy = false;
    }
  };

  customElements.define(TAG, RathausAntrag);
})();
