/* geomap's map drawing: static code that reads the page's JSON view and draws it.
 * Every piece of text from the article or the gazetteer enters the page as a DOM text node
 * (textContent), never as markup, so nothing in it can run. */
(function () {
  "use strict";

  var APPROXIMATE = "Placed approximately";  // the layer of names put at the last town named before them
  var SEARCH_AT = 20;  // from this many articles, the article filter can be searched by typing

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function escapeHtml(text) {
    var node = document.createElement("div");
    node.textContent = String(text);
    return node.innerHTML;
  }

  function quoteList(entry) {
    var list = el("ul", "geomap-quotes");
    entry.quotes.forEach(function (runs) {
      var item = el("li");
      runs.forEach(function (run) { item.appendChild(run[1] ? el("mark", null, run[0]) : document.createTextNode(run[0])); });
      list.appendChild(item);
    });
    if (entry.more) {
      list.appendChild(el("li", "geomap-more", "… and " + entry.more + " more sentence" + (entry.more === 1 ? "" : "s")));
    }
    return list;
  }

  function articleName(article, index) {
    return article.title || article.source || "Article " + (index + 1);
  }

  function popupContent(place, view, shown) {
    // Where, how often, and how sure: a guessed placement says it is one, a doubtful place names its
    // other candidates.
    var box = el("div", "geomap-popup");
    box.appendChild(el("h4", "geomap-title", place.name));
    var many = view.articles.length > 1;
    var meta = (place.approximate ? place.placed_at : place.where) + " · " + place.mentions +
      (place.mentions === 1 ? " mention" : " mentions") +
      (many ? " in " + place.articles.length + (place.articles.length === 1 ? " article" : " articles") : "") +
      (place.derived ? " · outline derived" : "");
    box.appendChild(el("p", "geomap-meta", meta));
    var sure = place.approximate ? "not in the gazetteer: where it is is a guess"
      : place.certainty + " (confidence " + place.confidence.toFixed(2) + ")";
    box.appendChild(el("p", "geomap-certainty" + (place.uncertain || place.approximate ? " geomap-doubt" : ""), sure));
    place.articles.forEach(function (entry) {
      if (!shown(entry.article)) return;
      if (many) {
        var article = view.articles[entry.article];
        var heading = el("p", "geomap-article", articleName(article, entry.article));
        if (article.published) heading.appendChild(el("span", "geomap-date", " · " + article.published));
        if (article.source && article.title) heading.appendChild(el("span", "geomap-date", " · " + article.source));
        box.appendChild(heading);
      }
      box.appendChild(quoteList(entry));
    });
    return box;
  }

  function tooltipContent(place) {
    return el("span", "geomap-tooltip", place.name + " (" + place.mentions + ")");
  }

  function sourceLine(view) {
    // The source as text; a link (set as a DOM property, never markup) only to an http(s) address.
    var line = el("div", "geomap-source", "Source: ");
    if (view.source_url && /^https?:\/\//i.test(view.source_url)) {
      var link = el("a", null, view.source);
      link.href = view.source_url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      line.appendChild(link);
    } else {
      line.appendChild(document.createTextNode(view.source));
    }
    return line;
  }

  function legend(view, map, onThreshold) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = el("details", "geomap-legend");
      box.open = map.getSize().x >= 600;  // a narrow map shows its places first, its legend on a click
      var summary = el("summary", "geomap-legend-title", view.title || "Places");
      box.appendChild(summary);
      if (view.about) box.appendChild(el("div", "geomap-about", "About: " + view.about));
      if (view.source) box.appendChild(sourceLine(view));
      view.layers.forEach(function (layer) {
        var row = el("div", "geomap-legend-row");
        var swatch = el("span", "geomap-swatch" + (layer.name === APPROXIMATE ? " geomap-swatch-approximate" : ""));
        swatch.style.borderColor = layer.colour;
        if (layer.name !== APPROXIMATE) swatch.style.background = layer.colour;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(layer.name));
        box.appendChild(row);
      });
      if (view.places.length) box.appendChild(confidenceControl(view, onThreshold));
      box.appendChild(el("div", "geomap-summary", view.summary));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function confidenceControl(view, onThreshold) {
    // Hides the places geomap is less sure of than the reader asks for.
    var row = el("label", "geomap-confidence");
    row.appendChild(document.createTextNode("Hide below confidence "));
    var input = el("input");
    input.type = "range";
    input.min = "0";
    input.max = "0.95";
    input.step = "0.05";
    input.value = "0";
    input.setAttribute("aria-label", "Hide places below this confidence");
    var output = el("span", "geomap-confidence-value", "0.00 (all shown)");
    input.addEventListener("input", function () {
      var hidden = onThreshold(Number(input.value));
      output.textContent = Number(input.value).toFixed(2) + (hidden ? " (" + hidden + " hidden)" : " (all shown)");
    });
    row.appendChild(input);
    row.appendChild(output);
    return row;
  }

  function shapeFor(place, colour, pane, byArticles) {
    // A guessed placement is a hollow dashed ring; a doubtful place is fainter than a sure one.
    var weak = place.uncertain ? 0.45 : 1;
    var className = (place.approximate ? "geomap-approximate " : "") + (place.uncertain ? "geomap-uncertain" : "");
    if (place.outline) {
      var faint = place.faint, line = place.shape === "line";
      return L.geoJSON(place.outline, {
        pane: pane,
        style: function () {
          return {color: colour, weight: line ? 3 : faint ? 1 : 2, dashArray: faint ? "4 4" : null, opacity: weak,
                  fill: !line, fillColor: colour, fillOpacity: (faint ? 0.04 : 0.15) * weak, className: className};
        }
      });
    }
    var size = byArticles ? place.articles.length : place.mentions;
    return L.circleMarker([place.lat, place.lon], {
      pane: pane, radius: 5 + 2 * Math.min(size, 10), color: colour, className: className,
      weight: place.approximate ? 2 : 3, dashArray: place.approximate ? "3 3" : null, opacity: weak,
      fill: true, fillOpacity: place.approximate ? 0.05 : 0.7 * weak
    });
  }

  function paneFor(place) {
    if (!place.outline) return "geomapPoints";
    return place.faint ? "geomapFaint" : "geomapAreas";
  }

  function makePanes(map) {
    [["geomapBase", 300], ["geomapLabels", 350], ["geomapFaint", 380], ["geomapAreas", 400],
     ["geomapPoints", 420], ["geomapPlaceLabels", 450]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
    map.getPane("geomapLabels").style.pointerEvents = "none";
    map.getPane("geomapPlaceLabels").style.pointerEvents = "none";
  }

  function distinct(values) {
    return values.filter(function (v, i) { return v && values.indexOf(v) === i; }).sort();
  }

  function filterControl(view, map, onChange) {
    // A map of many articles: the places of one article (found by typing when there are many),
    // of a span of publication dates, or of the articles about one place.
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = el("div", "geomap-filter leaflet-bar");
      var select = el("select");
      select.setAttribute("aria-label", "Show the places of");
      select.appendChild(el("option", null, "All " + view.articles.length + " articles"));
      select.options[0].value = "";
      view.articles.forEach(function (article, i) {
        var option = el("option", null, (article.published ? article.published + " · " : "") + articleName(article, i));
        option.value = String(i);
        select.appendChild(option);
      });
      if (view.articles.length > SEARCH_AT) {
        var search = el("input");
        search.type = "search";
        search.placeholder = "Find an article";
        search.setAttribute("aria-label", "Find an article");
        search.addEventListener("input", function () {
          var words = search.value.toLowerCase(), found = 0;
          for (var k = 1; k < select.options.length; k++) {
            var option = select.options[k];
            option.hidden = option.textContent.toLowerCase().indexOf(words) < 0;
            if (!option.hidden) found++;
          }
          select.options[0].textContent = words ? found + " of " + view.articles.length + " articles match: show all"
            : "All " + view.articles.length + " articles";
        });
        box.appendChild(search);
      }
      box.appendChild(select);
      var dates = distinct(view.articles.map(function (a) { return (a.published || "").slice(0, 10); }));
      var from = el("input"), until = el("input"), span = el("div", "geomap-dates");
      if (dates.length > 1) {
        [from, until].forEach(function (input, k) {
          input.type = "range";
          input.min = "0";
          input.max = String(dates.length - 1);
          input.step = "1";
          input.value = k ? String(dates.length - 1) : "0";
          input.setAttribute("aria-label", k ? "Published until" : "Published from");
          box.appendChild(input);
        });
        box.appendChild(span);
      }
      var foci = distinct(view.articles.map(function (a) { return a.focus; }));
      var focus = el("select");
      if (foci.length) {
        focus.setAttribute("aria-label", "Articles about");
        focus.appendChild(el("option", null, "About any place"));
        focus.options[0].value = "";
        foci.forEach(function (name) {
          var option = el("option", null, "About " + name);
          option.value = name;
          focus.appendChild(option);
        });
        box.appendChild(focus);
      }
      function changed() {
        var chosen = select.value === "" ? null : Number(select.value);
        var lo = Math.min(Number(from.value), Number(until.value)), hi = Math.max(Number(from.value), Number(until.value));
        var allDates = dates.length < 2 || (lo === 0 && hi === dates.length - 1);
        if (dates.length > 1) span.textContent = dates[lo] + " – " + dates[hi] + (allDates ? " (all dates)" : "");
        onChange(function (i) {
          var article = view.articles[i], published = (article.published || "").slice(0, 10);
          return (chosen === null || chosen === i) && (!focus.value || article.focus === focus.value) &&
                 (allDates || (published && published >= dates[lo] && published <= dates[hi]));
        });
      }
      [select, from, until, focus].forEach(function (input) {
        input.addEventListener(input.type === "range" ? "input" : "change", changed);
      });
      if (dates.length > 1) span.textContent = dates[0] + " – " + dates[dates.length - 1] + " (all dates)";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function drawPlaces(view, map) {
    var colours = {}, groups = {}, overlays = {}, drawn = [];
    var byArticle = function () { return true; }, threshold = 0;
    var shown = function (i) { return byArticle(i); };
    view.layers.forEach(function (layer) {
      colours[layer.name] = layer.colour;
      groups[layer.name] = (layer.name === "Towns" && view.cluster && L.markerClusterGroup)
        ? L.markerClusterGroup({clusterPane: "geomapPoints"}) : L.featureGroup();
    });
    // Largest areas first, so smaller ones lie on top of them and take the clicks.
    var ordered = view.places.slice().sort(function (a, b) { return b.area - a.area; });
    ordered.forEach(function (place) {
      var shape = shapeFor(place, colours[place.layer], paneFor(place), view.articles.length > 1);
      shape.bindPopup(function () { return popupContent(place, view, shown); }, {maxWidth: 360, autoPanPadding: [10, 10]});
      shape.bindTooltip(function () { return tooltipContent(place); }, {sticky: true});
      shape.addTo(groups[place.layer]);
      drawn.push({place: place, shape: shape, group: groups[place.layer], visible: true});
    });
    view.layers.forEach(function (layer) {
      groups[layer.name].addTo(map);
      overlays[escapeHtml(layer.name)] = groups[layer.name];
    });
    if (view.layers.length) L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);
    var labels = labelLayout(map, view, drawn);
    function update() {
      var hidden = 0;
      drawn.forEach(function (d) {
        d.visible = d.place.confidence >= threshold && d.place.articles.some(function (entry) { return byArticle(entry.article); });
        if (d.visible && !d.group.hasLayer(d.shape)) d.group.addLayer(d.shape);
        if (!d.visible && d.group.hasLayer(d.shape)) d.group.removeLayer(d.shape);
        if (!d.visible) hidden++;
      });
      labels();
      return hidden;
    }
    if (view.articles.length > 1) {
      filterControl(view, map, function (filter) {
        byArticle = filter;
        map.closePopup();
        update();
        var bounds = focusBounds(drawn.filter(function (d) { return d.visible; }).map(function (d) { return d.place; }));
        if (bounds.isValid()) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 8});
      });
    }
    return function (value) {
      threshold = value;
      map.closePopup();
      return update();
    };
  }

  function focusBounds(places) {
    // What the article is about: its sure places (not the guessed placements, not a doubtful place
    // far from the rest), points and outlines smaller than a large country, so a country named in
    // passing does not pull the view across the world.
    var bounds = L.latLngBounds([]), small = 400;
    var framed = places.filter(function (place) { return place.frame; });
    (framed.length ? framed : places).forEach(function (place) {
      if (place.bounds && place.area <= small) {
        bounds.extend([[place.bounds[1], place.bounds[0]], [place.bounds[3], place.bounds[2]]]);
      } else {
        bounds.extend([place.lat, place.lon]);
      }
    });
    return bounds;
  }

  function keepFitted(map, bounds) {
    if (!bounds.isValid()) return;
    var fitting = false, moved = false, container = map.getContainer();
    function fit() {
      if (moved || !container.clientWidth || !container.clientHeight) return;
      fitting = true;
      map.invalidateSize({animate: false});
      map.fitBounds(bounds, {padding: [24, 24], maxZoom: 8, animate: false});
      fitting = false;
    }
    map.on("movestart", function () { if (!fitting) moved = true; });
    fit();
    if (window.ResizeObserver) new ResizeObserver(fit).observe(container);
    window.addEventListener("load", fit);
  }

  function labelMarker(name, className, latlng, pane) {
    var span = el("span", className, name);
    var icon = L.divIcon({className: "geomap-label-anchor", html: span, iconSize: null});
    return {span: span, latlng: L.latLng(latlng), size: null,
            marker: L.marker(latlng, {icon: icon, pane: pane, interactive: false, keyboard: false})};
  }

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  function labelLayout(map, view, drawn) {
    // Permanent names: the article's places first (most named, surest first), each beside its circle
    // or on its outline, wherever it covers no other name or circle; then the basemap's country names
    // where they cover nothing. A name that fits nowhere waits for a closer zoom. Returns the function
    // that lays them out again (after a zoom, a pan, or a change of what is shown).
    var places = drawn.filter(function (d) { return !(view.cluster && d.place.layer === "Towns"); })
      .sort(function (a, b) {
        return (a.place.approximate - b.place.approximate) || (b.place.mentions - a.place.mentions) ||
               (b.place.confidence - a.place.confidence) || (a.place.name < b.place.name ? -1 : 1);
      })
      .map(function (d) {
        // A doubtful place's name asks the question; a guessed placement's is set apart (italic).
        var name = d.place.name + (d.place.uncertain && !d.place.approximate ? "?" : "");
        var className = "geomap-place-label" + (d.place.approximate ? " geomap-approximate-label" : "") +
                        (d.place.uncertain ? " geomap-uncertain-label" : "");
        var label = labelMarker(name, className, [d.place.lat, d.place.lon], "geomapPlaceLabels");
        label.drawn = d;
        return label;
      });
    var base = (view.labels || []).map(function (entry, i) {
      var label = labelMarker(entry.name, "geomap-label", [entry.lat, entry.lon], "geomapLabels");
      label.zoom = entry.zoom;
      label.rank = i;
      return label;
    }).sort(function (a, b) { return (a.zoom - b.zoom) || (a.rank - b.rank); });
    function hide(label) { label.span.style.visibility = "hidden"; }
    function measure(labels) {
      // Each label's size once it is on the page (none while the map is hidden: a closed <details>):
      // all added first, then all read, so the page is laid out once, not once a label.
      var fresh = labels.filter(function (label) { return !label.size; });
      fresh.forEach(function (label) { if (!map.hasLayer(label.marker)) label.marker.addTo(map); });
      fresh.forEach(function (label) {
        if (label.span.offsetWidth) label.size = [label.span.offsetWidth, label.span.offsetHeight];
      });
    }
    function place(label, candidates, taken, own) {
      if (!label.size) { hide(label); return false; }
      var p = map.latLngToLayerPoint(label.latlng), w = label.size[0], h = label.size[1];
      for (var k = 0; k < candidates.length; k++) {
        var dx = candidates[k][0](w), dy = candidates[k][1](h);
        var box = [p.x + dx, p.y + dy, p.x + dx + w, p.y + dy + h];
        if (!taken.some(function (other) { return other !== own && overlaps(box, other); })) {
          label.span.style.left = dx + "px";
          label.span.style.top = dy + "px";
          label.span.style.visibility = "visible";
          taken.push(box);
          return true;
        }
      }
      hide(label);
      return false;
    }
    function layout() {
      var zoom = map.getZoom(), area = map.getBounds().pad(0.5), names = {}, circles = [];
      var live = places.filter(function (label) {
        var d = label.drawn;
        var on = d.visible && map.hasLayer(d.group) && area.contains(label.latlng);
        if (!on) hide(label);
        return on;
      });
      live.forEach(function (label) {
        if (label.drawn.place.outline) return;
        var c = map.latLngToLayerPoint(label.latlng), r = label.drawn.shape.getRadius();
        label.circle = [c.x - r, c.y - r, c.x + r, c.y + r];
        circles.push(label.circle);
      });
      var taken = circles.slice();
      var named = base.filter(function (label) {
        label.due = zoom >= label.zoom && area.contains(label.latlng);
        return label.due;
      });
      measure(live.concat(named));
      live.forEach(function (label) {
        var d = label.drawn, candidates = [];
        // Beside the circle (or close to the outline's point, then further out), right, left, above, below.
        (d.place.outline ? [2, 14] : [d.shape.getRadius() + 3]).forEach(function (r) {
          candidates.push([function () { return r; }, function (h) { return -h / 2; }],
                          [function (w) { return -r - w; }, function (h) { return -h / 2; }],
                          [function (w) { return -w / 2; }, function (h) { return -r - h; }],
                          [function (w) { return -w / 2; }, function () { return r; }]);
        });
        if (d.place.outline && d.place.bounds) {
          var sw = map.latLngToLayerPoint([d.place.bounds[1], d.place.bounds[0]]);
          var ne = map.latLngToLayerPoint([d.place.bounds[3], d.place.bounds[2]]);
          var wide = Math.abs(ne.x - sw.x), tall = Math.abs(sw.y - ne.y);
          if (label.size && wide > label.size[0] + 8 && tall > label.size[1] + 4) {
            candidates.unshift([function (w) { return -w / 2; }, function (h) { return -h / 2; }]);
          }
        }
        if (place(label, candidates, taken, label.circle)) names[d.place.name] = true;
      });
      var centred = [[function (w) { return -w / 2; }, function (h) { return -h / 2; }]];
      base.forEach(function (label) {
        if (!label.due || names[label.span.textContent]) hide(label);
        else place(label, centred, taken, null);
      });
    }
    map.on("moveend overlayadd overlayremove", layout);  // a zoom ends with a moveend too
    layout();
    return layout;
  }

  function limitPopups(map) {
    // A popup scrolls inside the map instead of running off it.
    map.on("popupopen", function (e) {
      var height = Math.max(80, map.getSize().y - 90);
      if (e.popup.options.maxHeight !== height) { e.popup.options.maxHeight = height; e.popup.update(); }
    });
  }

  window.geomapDraw = function (map, view) {
    if (view.title) document.title = view.title;
    makePanes(map);
    // Every control stacks in a corner (Leaflet keeps controls of one corner apart): the data credit
    // goes with the scale and the legend, so nothing overlaps however narrow the map.
    map.attributionControl.setPosition("bottomleft");
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution(view.attribution);
    if (view.tiles) {
      L.tileLayer(view.tiles.url, {attribution: view.tiles.attribution, maxZoom: 18}).addTo(map);
    } else if (view.basemap) {
      L.geoJSON(view.basemap, {pane: "geomapBase", interactive: false, style: function () {
        return {color: "#999", weight: 0.5, fillColor: "#f2efe9", fillOpacity: 1};
      }}).addTo(map);
    }
    if (view.view) map.setView([view.view[0], view.view[1]], view.view[2], {animate: false});
    else keepFitted(map, focusBounds(view.places));
    var threshold = drawPlaces(view, map);
    legend(view, map, threshold);
    limitPopups(map);
  };
})();
