// Vaka journal form: keeps a copy of what is typed in this browser (a lost connection or a closed
// tab loses nothing) and saves the draft on the server once the entry is complete. The form works
// without this script; it only adds safety.
(function () {
  "use strict";
  var form = document.getElementById("journal-form");
  if (!form || !window.fetch || !window.FormData) return;
  var key = form.getAttribute("data-storage-key");
  var status = document.getElementById("autosave-status");
  var draftField = form.querySelector("input[name=draft_id]");
  var timer = null;
  var busy = false;

  function say(attr) {
    if (status) status.textContent = status.getAttribute(attr) || "";
  }

  function fields() {
    var out = [];
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrf" && k !== "action") out.push([k, String(v)]);
    });
    return out;
  }

  function keep() {
    try { localStorage.setItem(key, JSON.stringify(fields())); } catch (e) { /* storage full or off */ }
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.length) return;
    var seen = {};
    saved.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      var els = form.querySelectorAll("[name='" + name + "']");
      els.forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (!seen[name]) { el.checked = false; }
          if (el.value === value) el.checked = true;
        } else if (el.name !== "draft_id" || !el.value) {
          el.value = value;
        }
      });
      seen[name] = true;
    });
    // Unchecked boxes leave no pair: clear those groups that were saved without them.
    form.querySelectorAll("input[type=checkbox]").forEach(function (el) {
      if (!seen[el.name]) el.checked = false;
    });
    say("data-restored");
  }

  function complete() {
    return form.querySelector("input[name=kind]:checked") &&
      form.querySelector("input[name=substance_use]:checked") &&
      form.querySelector("[name=occurred_at]").value;
  }

  function save() {
    keep();
    if (busy || !complete()) { say("data-local"); return; }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "autosave");
    // form.action would be the buttons named "action"; the attribute is the URL.
    fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json" }, body: body
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, json: j }; });
    }).then(function (res) {
      if (res.ok && res.json.draft_id) {
        if (!draftField.value) {
          draftField.value = String(res.json.draft_id);
          // From now on the copy belongs to the stored draft.
          try { localStorage.removeItem(key); } catch (e) {}
          key = key.replace(/-(new|c\d+)$/, "-" + res.json.draft_id);
          keep();
          if (history.replaceState) history.replaceState(null, "", form.getAttribute("data-edit-base") + res.json.draft_id + "/edit");
        }
        say("data-saved");
      } else {
        say("data-local");
      }
    }).catch(function () { say("data-local"); })
      .then(function () { busy = false; });
  }

  function later() {
    keep();
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  if (!document.querySelector("#form-errors")) restore();
  else document.querySelector("#form-errors").focus();
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", function (ev) {
    var action = ev.submitter ? ev.submitter.value : "";
    if (action === "sign") { try { localStorage.removeItem(key); } catch (e) {} }
  });
})();
