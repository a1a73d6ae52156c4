// Starts the app. A file of its own, not a script inside index.html, so
// the Content-Security-Policy can allow scripts from this origin only.
//
// Until the wasm has run, index.html shows the app's name and a loading
// line (CSS only); the app replaces them when it mounts. If the wasm
// cannot load, the line says so instead of leaving a blank page.

// Any Content-Security-Policy violation is kept here as well as in the
// console, so a browser test can check every page runs under the policy.
window.tongxinCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.tongxinCspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});

// The app mounts by appending to the body: the loading lines go then.
const boot = document.getElementById("boot");
new MutationObserver((changes, observer) => {
  const mounted = changes.some((change) =>
    [...change.addedNodes].some((node) => node.nodeType === Node.ELEMENT_NODE && node.tagName !== "SCRIPT"));
  if (mounted) {
    boot?.remove();
    observer.disconnect();
  }
}).observe(document.body, { childList: true });

// Two bundles: the admin's office (its own pages) and the phone's, which
// is everything else. `cargo xtask` writes their hashed file names here.
const office = /^\/(admin|manage)(\/|$)/.test(location.pathname);
const bundle = office
  ? { js: "TONGXIN_OFFICE_JS", wasm: "TONGXIN_OFFICE_WASM" }
  : { js: "TONGXIN_FRONTEND_JS", wasm: "TONGXIN_FRONTEND_WASM" };
// The wasm is fetched at once, beside its JS glue, not after it.
const wasm = fetch(bundle.wasm);

import(bundle.js)
  .then((app) => app.default({ module_or_path: wasm }))
  .catch((error) => {
    console.error("the app could not start", error);
    if (boot) {
      boot.classList.add("failed");
      boot.querySelector(".boot-status").textContent =
        "同心未能加载，请检查网络后刷新页面。 The app could not load: check the connection and reload.";
    }
  });
