// Tongxin service worker: keeps the app shell so the app opens with no
// network at all. The API is never cached: records live in IndexedDB.
//
// `cargo xtask` replaces BUILD_VERSION with a hash of the built files, so
// every release gets a cache of its own. The first install takes over at
// once (so the app works offline after one visit); a later release waits
// until the app, having told the user "new version, reload", asks it to
// take over, so a page never runs old code against a new shell.
const CACHE = "tongxin-shell-BUILD_VERSION";
// What the phone's pages load ("/" is index.html), hashed names included;
// written by `cargo xtask`. The office's bundle is online only.
const SHELL = BUILD_SHELL;

self.addEventListener("install", (event) => {
  const firstInstall = !self.registration.active;
  event.waitUntil(
    caches.open(CACHE)
      // The browser's HTTP cache may answer: the hashed files it holds are
      // the very ones named here, and the rest it asks the server about
      // (no-cache), so the page's first visit is not downloaded twice.
      .then((cache) => cache.addAll(SHELL))
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
    // Every page of the app is index.html ("/"); boot.js picks the bundle.
    event.respondWith(caches.match("/").then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});
