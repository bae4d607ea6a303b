// Live business-time countdowns, and action forms that answer in place. The pages work without this script.
"use strict";

function say(seconds) {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  if (minutes === 0) return "under a minute";
  const h = Math.floor(minutes / 60), m = minutes % 60;
  return [h ? h + " h" : "", m ? m + " min" : ""].filter(Boolean).join(" ");
}

// Business seconds from now to the due instant: the sum of the open intervals the server sent, clipped to now.
function businessLeft(spans, now) {
  return spans.reduce((sum, [start, end]) => sum + Math.max(0, end - Math.max(start, now)), 0);
}

function tick() {
  const now = Date.now() / 1000;
  document.querySelectorAll(".clock[data-due]").forEach((clock) => {
    const due = Number(clock.dataset.due), warn = Number(clock.dataset.warn || 0);
    const text = clock.querySelector(".clock-left");
    if (now >= due) {
      clock.classList.remove("running", "at_risk");
      clock.classList.add("breached");
      text.textContent = clock.classList.contains("step") ? "due now" : "breached";
      return;
    }
    if (warn && now >= warn) { clock.classList.remove("running"); clock.classList.add("at_risk"); }
    text.textContent = say(businessLeft(JSON.parse(clock.dataset.spans), now)) + " of business time left";
  });
}

async function submitInline(event) {
  const form = event.target.closest("form[data-inline]");
  if (!form) return;
  event.preventDefault();
  const row = form.closest("[data-lead]");
  const error = row && row.querySelector(".form-error");
  const response = await fetch(form.action, {method: "POST", body: new FormData(form),
                                              headers: {"X-Leadpact-Inline": "1"}, credentials: "same-origin"});
  const body = await response.text();
  if (!response.ok) {
    if (error) { error.textContent = body; error.hidden = false; }
    return;
  }
  if (row) {
    row.outerHTML = body;
    const replaced = document.getElementById(row.id);
    if (replaced) replaced.querySelector("button, summary, a")?.focus();
  }
  tick();
}

document.addEventListener("submit", submitInline);
document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 15000); });
