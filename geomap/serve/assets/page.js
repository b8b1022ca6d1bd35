// The page of `geomap serve`: sends the article to the API, shows the map (the same self-contained
// page `geomap map` writes) in a sandboxed frame, lists the places, offers the downloads.
// Everything the user or the article says is shown with text nodes, never parsed as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SUFFIX = {html: "html", png: "png", svg: "svg", geojson: "geojson", json: "json", fragment: "fragment.html"};
  let shown = null;  // {ask, json, html}: what the result on the page was made from

  const chosen = () => document.querySelector("input[name=source]:checked").value;

  function showSource() {
    for (const part of document.querySelectorAll("[data-source]")) part.hidden = part.dataset.source !== chosen();
  }

  function say(message, error = false) {
    $("status").textContent = message;
    $("status").classList.toggle("error", error);
  }

  function preferences() {
    const lines = $("prefer").value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (!lines.length) return null;
    const prefer = {};
    for (const line of lines) {
      const at = line.lastIndexOf("=");
      const name = line.slice(0, at).trim(), id = line.slice(at + 1).trim();
      if (at < 0 || !name || !/^[0-9]+$/.test(id)) throw new Error(`Preferred place "${line}": expected NAME=GEONAMEID`);
      prefer[name] = Number(id);
    }
    return prefer;
  }

  // The request's body (and type) for what the form holds; thrown messages are shown as they are.
  function ask() {
    const home = $("home").value.trim(), prefer = preferences(), source = chosen();
    if (source === "file") {
      const file = $("file").files[0];
      if (!file) throw new Error("Choose a file first.");
      const form = new FormData();
      form.append("file", file);
      if (home) form.append("home", home);
      if (prefer) form.append("prefer", JSON.stringify(prefer));
      return {body: form};
    }
    const value = source === "url" ? $("url").value.trim() : $("text").value;
    if (!value.trim()) throw new Error(source === "url" ? "Give a URL first." : "Paste an article first.");
    const data = {[source]: value};
    if (home) data.home = home;
    if (prefer) data.prefer = prefer;
    return {body: JSON.stringify(data), headers: {"Content-Type": "application/json"}};
  }

  async function call(path, request) {
    const response = await fetch(path, {method: "POST", ...request});
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      try { message = (await response.json()).error || message; } catch (_) { /* not JSON: the status says it */ }
      throw new Error(message);
    }
    return response;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
  }

  // One row per place, as the map shows it: its mentions counted, its highest confidence, and
  // whether it was only guessed (placed at the town named before it: approximate).
  function table(document_) {
    const places = new Map();
    for (const mention of document_.mentions) {
      if (!mention.place) continue;
      const id = mention.place.geonameid;
      if (!places.has(id)) places.set(id, {place: mention.place, mentions: 0, confidence: 0, approximate: 0});
      const row = places.get(id);
      row.mentions += 1;
      row.confidence = Math.max(row.confidence, mention.confidence);
      row.approximate += mention.approximate ? 1 : 0;
    }
    const body = $("places").tBodies[0];
    body.replaceChildren();
    for (const {place, mentions, confidence, approximate} of places.values()) {
      const row = body.insertRow();
      if (approximate) row.className = "approximate";
      cell(row, place.name);
      cell(row, place.feature);
      cell(row, [place.admin1 && place.feature !== "admin1" ? `region ${place.admin1}` : "", place.country].filter(Boolean).join(", "));
      cell(row, String(mentions), "number");
      cell(row, confidence.toFixed(2), "number");
      cell(row, approximate === 0 ? "no" : approximate === mentions ? "yes (guessed)" : `${approximate} of ${mentions} guessed`);
    }
    return places.size;
  }

  async function submit(event) {
    event.preventDefault();
    let request;
    try { request = ask(); } catch (error) { say(error.message, true); return; }
    $("go").disabled = true;
    say("Reading the article…");
    try {
      const json = await (await call("/api/extract", request)).text();
      say("Drawing the map…");
      const html = await (await call("/api/map?format=html", request)).text();
      const document_ = JSON.parse(json);
      const count = table(document_);
      $("result").hidden = false;  // before the map loads: Leaflet measures its frame
      $("map").srcdoc = html;
      shown = {request, json, html};
      say(`${count} places, ${document_.mentions.length} mentions.`);
    } catch (error) {
      say(error.message, true);
    } finally {
      $("go").disabled = false;
    }
  }

  function save(blob, format) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `geomap.${SUFFIX[format]}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  async function download(event) {
    const format = event.target.dataset.download;
    if (!format || !shown) return;
    try {
      if (format === "json") save(new Blob([shown.json], {type: "application/json"}), format);
      else if (format === "html") save(new Blob([shown.html], {type: "text/html"}), format);
      else {
        say(`Making the ${format.toUpperCase()}…`);
        save(await (await call(`/api/map?format=${format}`, shown.request)).blob(), format);
        say("");
      }
    } catch (error) {
      say(error.message, true);
    }
  }

  for (const radio of document.querySelectorAll("input[name=source]")) radio.addEventListener("change", showSource);
  $("ask").addEventListener("submit", submit);
  $("downloads").addEventListener("click", download);
  showSource();
})();
