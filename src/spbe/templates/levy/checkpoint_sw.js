{% autoescape off %}// Service worker of the checkpoint scanner (scope: {{ scope }}). After one visit online the
// page, its scripts and styles, the verification keys and the signed revocation list are
// cached, so the page reloads and verifies voucher codes with no network at all.
// Page and API: network first (always the newest when online), the cache when offline.
// Static assets: cache first (their URLs change on deploy, and so does this file's version).
"use strict";
const CACHE = "lb-checkpoint-{{ version }}";
const PAGE = {{ page }};
const ASSETS = {{ assets }};
const API = {{ api }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS, ...API, PAGE])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith("lb-checkpoint-") && name !== CACHE).map((name) => caches.delete(name)),
  )).then(() => self.clients.claim()));
});

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // scan uploads go to the network (the page queues them)
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) { event.respondWith(networkFirst(request, PAGE)); return; }
  if (API.includes(url.pathname)) { event.respondWith(networkFirst(request, url.pathname)); return; }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});
{% endautoescape %}
