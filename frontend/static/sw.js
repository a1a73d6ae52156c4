// Tongxin service worker: keeps the app shell so the app opens with no
// network at all. The API is never cached: records live in IndexedDB.
//
// `cargo xtask` replaces BUILD_VERSION with a hash of the built files, so
// every release gets a cache of its own. The first install takes over at
// once (so the app works offline after one visit); a later release waits
// until the app, having told the user "new version, reload", asks it to
// take over, so a page never runs old code against a new shell.
const CACHE = "tongxin-shell-BUILD_VERSION";
const SHELL = [
  "/",
  "/index.html",
  "/boot.js",
  "/style.css",
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/pkg/tongxin_frontend.js",
  "/pkg/tongxin_frontend_bg.wasm",
];

self.addEventListener("install", (event) => {
  const firstInstall = !self.registration.active;
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => (firstInstall ? self.skipWaiting() : undefined)),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") {
    self.skipWaiting();
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    // Every page of the app is index.html; the app routes on the client.
    event.respondWith(caches.match("/index.html").then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});
