// Checkpoint scanner: verifies Love Bali voucher codes offline (Ed25519 via WebCrypto)
// against keys and a signed revocation list cached in localStorage, queues every scan
// with a nonce and uploads the queue when the network is there. The server de-duplicates
// on the nonce, so uploading twice is harmless. Layout of a code: see spbe/levy/codec.py.
// A service worker (levy/checkpoint_sw.js) caches the page, keys and revocation list, so the
// page also reloads offline. The camera uses BarcodeDetector where the browser has it and the
// vendored jsQR decoder elsewhere (iOS Safari, Firefox).
(function () {
  "use strict";
  const root = document.getElementById("checkpoint");
  if (!root) return;
  const T = JSON.parse(document.getElementById("checkpoint-messages").textContent);
  const store = {
    get: (k, d) => { try { return JSON.parse(localStorage.getItem("lb." + k)) ?? d; } catch (e) { return d; } },
    set: (k, v) => localStorage.setItem("lb." + k, JSON.stringify(v)),
  };
  const $ = (id) => document.getElementById(id);
  const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const EPOCH = Date.UTC(2020, 0, 1);
  const DAY = 86400000;

  function b32decode(text) {
    let bits = 0, value = 0; const out = [];
    for (const ch of text.toUpperCase().replace(/=+$/, "")) {
      const i = B32.indexOf(ch); if (i < 0) throw new Error(T.damaged);
      value = (value << 5) | i; bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out);
  }
  const hex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
  const isoDay = (days) => new Date(EPOCH + days * DAY).toISOString().slice(0, 10);
  function csrf() { const m = document.cookie.match(/csrftoken=([^;]+)/); return m ? m[1] : ""; }

  async function importKey(raw) {
    return crypto.subtle.importKey("raw", hex(raw), { name: "Ed25519" }, false, ["verify"]);
  }

  async function syncTrust() {
    try {
      const keys = await (await fetch(root.dataset.keysUrl, { credentials: "same-origin" })).json();
      const rev = await (await fetch(root.dataset.revocationsUrl, { credentials: "same-origin" })).json();
      const signer = keys.find((k) => k.number === rev.key);
      const message = new TextEncoder().encode(JSON.stringify({ issued_at: rev.issued_at, references: rev.references }));
      const ok = signer && await crypto.subtle.verify({ name: "Ed25519" }, await importKey(signer.public_key), hex(rev.signature), message);
      if (!ok) throw new Error("revocation list signature");
      store.set("keys", keys); store.set("revoked", rev.references); store.set("synced", new Date().toISOString());
    } catch (e) { /* offline: keep the cached copy */ }
    showTrust();
  }

  function showTrust() {
    const keys = store.get("keys", []), synced = store.get("synced", null);
    $("trust-status").textContent = keys.length
      ? T.trust.replace("%(keys)s", keys.length).replace("%(revoked)s", store.get("revoked", []).length).replace("%(when)s", synced ? new Date(synced).toLocaleString() : "—")
      : T.no_trust;
  }

  async function verifyOffline(text) {
    const clean = text.trim();
    if (!clean.toUpperCase().startsWith("LB1:")) throw new Error(T.not_voucher);
    const blob = b32decode(clean.slice(4));
    if (blob.length < 84 || blob[0] !== 1) throw new Error(T.damaged);
    const nameLength = blob[19], payloadLength = 20 + nameLength;
    if (blob.length !== payloadLength + 64) throw new Error(T.damaged);
    const payload = blob.slice(0, payloadLength), signature = blob.slice(payloadLength);
    const key = store.get("keys", []).find((k) => k.number === blob[1]);
    if (!key) throw new Error(T.unknown_key);
    if (!await crypto.subtle.verify({ name: "Ed25519" }, await importKey(key.public_key), signature, payload)) {
      return { result: "invalid", reason: T.forged };
    }
    const view = new DataView(payload.buffer);
    const claims = {
      kind: blob[2] === 2 ? "exempt" : "paid",
      reference: new TextDecoder().decode(payload.slice(3, 11)),
      valid_from: isoDay(view.getUint16(11)), valid_until: isoDay(view.getUint16(13)),
      check: Array.from(payload.slice(15, 17)),
      nationality: new TextDecoder().decode(payload.slice(17, 19)),
      name: new TextDecoder().decode(payload.slice(20)),
    };
    const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10); // WITA
    let result = "valid";
    if (store.get("revoked", []).includes(claims.reference)) result = "revoked";
    else if (today < claims.valid_from) result = "not_yet_valid";
    else if (today > claims.valid_until) result = "expired";
    return { result, claims };
  }

  let lastClaims = null;
  function show(outcome) {
    const box = $("result");
    box.classList.remove("d-none", "bg-success-subtle", "bg-danger-subtle", "bg-warning-subtle", "bg-secondary-subtle");
    const good = outcome.result === "valid" || outcome.result === "exempt_document";
    box.classList.add(good ? "bg-success-subtle" : outcome.result === "invalid" ? "bg-danger-subtle"
      : outcome.result === "unchecked" ? "bg-secondary-subtle" : "bg-warning-subtle");
    box.dataset.result = outcome.result;
    $("result-title").textContent = outcome.title || T.results[outcome.result] || outcome.result;
    const c = outcome.claims; lastClaims = c || null;
    $("result-detail").textContent = c ? `${c.name} · ${c.nationality} · ${T.kinds[c.kind]} · ${c.valid_from} – ${c.valid_until} · ${c.reference}` : (outcome.reason || "");
    $("passport-check").classList.toggle("d-none", !(c && c.check));
    $("passport-result").textContent = ""; $("passport").value = "";
  }

  function queue(scan) {
    const q = store.get("queue", []); q.push(scan); store.set("queue", q); showQueue();
  }
  function showQueue() { $("queue-status").textContent = T.queued.replace("%(n)s", store.get("queue", []).length); }

  async function upload() {
    const q = store.get("queue", []);
    if (!q.length || !navigator.onLine) return;
    const batch = q.slice(0, 500);
    try {
      const response = await fetch(root.dataset.uploadUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ checkpoint: $("checkpoint-name").value || "—", device: navigator.userAgent.slice(0, 100), scans: batch }),
      });
      if (!response.ok) return;
      const sent = new Set(batch.map((s) => s.nonce));
      store.set("queue", store.get("queue", []).filter((s) => !sent.has(s.nonce)));
    } catch (e) { /* stays queued */ }
    showQueue();
  }

  async function check(text) {
    const value = text.trim();
    const scan = { nonce: crypto.randomUUID(), scanned_at: new Date().toISOString(), offline: !navigator.onLine };
    let outcome;
    if (/^[2-9A-HJ-NP-Z]{8}$/i.test(value)) { // a typed reference: only the server knows it
      scan.reference = value.toUpperCase();
      // Offline, a typed reference is neither genuine nor forged: say so, keep the scan, and
      // let the server judge it on upload.
      const unchecked = { result: "unchecked", title: T.offline_title, reason: T.offline_reference };
      if (!navigator.onLine) outcome = unchecked;
      else {
        try {
          const r = await fetch(root.dataset.referenceUrl.replace("REFERENCE", scan.reference), { credentials: "same-origin" });
          if (!r.ok) throw new Error(String(r.status));
          const data = await r.json();
          outcome = { result: data.result, claims: data.reference ? { ...data, check: null } : null, reason: T.unknown_reference };
        } catch (e) { outcome = unchecked; }
      }
    } else {
      scan.code = value;
      try { outcome = await verifyOffline(value); } catch (e) { outcome = { result: "invalid", reason: e.message }; }
    }
    show(outcome); queue(scan); upload();
  }

  $("code-form").addEventListener("submit", (e) => { e.preventDefault(); check($("code").value); });
  $("exempt-form").addEventListener("submit", (e) => {
    e.preventDefault();
    queue({ nonce: crypto.randomUUID(), scanned_at: new Date().toISOString(), offline: !navigator.onLine, exemption_category: $("exempt-category").value });
    show({ result: "exempt_document", reason: $("exempt-category").selectedOptions[0].textContent }); upload();
  });
  $("passport-compare").addEventListener("click", async () => {
    if (!lastClaims) return;
    const number = $("passport").value.toUpperCase().replace(/[^A-Z0-9]/g, "");
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`LB1|${lastClaims.nationality}|${number}`)));
    const same = digest[0] === lastClaims.check[0] && digest[1] === lastClaims.check[1];
    $("passport-result").textContent = same ? T.passport_match : T.passport_mismatch;
    $("passport-result").className = same ? "mt-1 text-success" : "mt-1 text-danger fw-semibold";
  });
  $("upload").addEventListener("click", upload);
  $("checkpoint-name").value = store.get("checkpoint", "");
  $("checkpoint-name").addEventListener("change", (e) => store.set("checkpoint", e.target.value));

  // Camera: BarcodeDetector where the browser has one, else jsQR on video frames.
  function frameDecoder(video) {
    if ("BarcodeDetector" in window) {
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      return async () => ((await detector.detect(video).catch(() => []))[0] || {}).rawValue;
    }
    const canvas = document.createElement("canvas"), context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      if (!video.videoWidth) return undefined;
      const scale = Math.min(1, 640 / video.videoWidth); // a smaller frame decodes faster, QR still readable
      canvas.width = Math.round(video.videoWidth * scale); canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : undefined;
    };
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && ("BarcodeDetector" in window || window.jsQR)) {
    const button = $("camera-start"); button.classList.remove("d-none");
    button.addEventListener("click", async () => {
      const video = $("camera");
      try {
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (e) { show({ result: "unchecked", title: T.camera_denied, reason: "" }); return; }
      video.classList.remove("d-none");
      await video.play();
      const decode = frameDecoder(video);
      const tick = async () => {
        const text = await decode();
        if (text) { $("code").value = text; await check(text); setTimeout(tick, 1500); }
        else requestAnimationFrame(tick);
      };
      tick();
    });
  }
  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.serviceWorker).catch(() => { /* still works online */ });
  }
  window.addEventListener("online", () => { syncTrust(); upload(); });
  showTrust(); showQueue(); syncTrust(); setInterval(upload, 30000);
})();
