/* geomap's map drawing: static code that reads the page's JSON view and draws it.
 * Every piece of text from the article or the gazetteer enters the page as a DOM text node
 * (textContent), never as markup, so nothing in it can run. */
(function () {
  "use strict";

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
    var box = el("div", "geomap-popup");
    box.appendChild(el("h4", "geomap-title", place.name));
    var many = view.articles.length > 1;
    var meta = place.where + " · " + place.mentions + (place.mentions === 1 ? " mention" : " mentions") +
      (many ? " in " + place.articles.length + (place.articles.length === 1 ? " article" : " articles") : "") +
      " · confidence " + place.confidence.toFixed(2) + (place.derived ? " · outline derived" : "");
    box.appendChild(el("p", "geomap-meta", meta));
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

  function legend(view, map) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = el("details", "geomap-legend");
      box.open = map.getSize().x >= 600;  // a narrow map shows its places first, its legend on a click
      var summary = el("summary", "geomap-legend-title", view.title || "Places");
      box.appendChild(summary);
      if (view.source) box.appendChild(sourceLine(view));
      view.layers.forEach(function (layer) {
        var row = el("div", "geomap-legend-row");
        var swatch = el("span", "geomap-swatch");
        swatch.style.background = layer.colour;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(layer.name));
        box.appendChild(row);
      });
      box.appendChild(el("div", "geomap-summary", view.summary));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function shapeFor(place, colour, pane, byArticles) {
    if (place.outline) {
      var faint = place.faint, line = place.shape === "line";
      return L.geoJSON(place.outline, {
        pane: pane,
        style: function () {
          return {color: colour, weight: line ? 3 : faint ? 1 : 2, dashArray: faint ? "4 4" : null,
                  fill: !line, fillColor: colour, fillOpacity: faint ? 0.04 : 0.15};
        }
      });
    }
    return L.circleMarker([place.lat, place.lon], {
      pane: pane, radius: 5 + 2 * Math.min(byArticles ? place.articles.length : place.mentions, 10), color: colour,
      fill: true, fillOpacity: 0.7
    });
  }

  function paneFor(place) {
    if (!place.outline) return "geomapPoints";
    return place.faint ? "geomapFaint" : "geomapAreas";
  }

  function makePanes(map) {
    [["geomapBase", 300], ["geomapLabels", 350], ["geomapFaint", 380], ["geomapAreas", 400],
     ["geomapPoints", 420]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
  }

  function filterControl(view, map, onChange) {
    // A map of many articles: show the places of one article, or of a span of dates.
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
      box.appendChild(select);
      var dates = view.articles.some(function (a) { return a.published; });
      var from = el("input"), to = el("input");
      if (dates) {
        [from, to].forEach(function (input, k) {
          input.type = "date";
          input.setAttribute("aria-label", k ? "Published until" : "Published from");
          box.appendChild(input);
        });
      }
      function changed() {
        var chosen = select.value === "" ? null : Number(select.value);
        onChange(function (i) {
          var published = view.articles[i].published;
          return (chosen === null || chosen === i) && (!from.value || (published && published >= from.value)) &&
                 (!to.value || (published && published.slice(0, 10) <= to.value));
        });
      }
      [select, from, to].forEach(function (input) { input.addEventListener("change", changed); });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function drawPlaces(view, map) {
    var colours = {}, groups = {}, overlays = {}, drawn = [];
    var shown = function () { return true; };
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
      drawn.push({place: place, shape: shape, group: groups[place.layer]});
    });
    view.layers.forEach(function (layer) {
      groups[layer.name].addTo(map);
      overlays[escapeHtml(layer.name)] = groups[layer.name];
    });
    if (view.layers.length) L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);
    if (view.articles.length > 1) {
      filterControl(view, map, function (filter) {
        shown = filter;
        map.closePopup();
        var shownPlaces = [];
        drawn.forEach(function (d) {
          var visible = d.place.articles.some(function (entry) { return filter(entry.article); });
          if (visible && !d.group.hasLayer(d.shape)) d.group.addLayer(d.shape);
          if (!visible && d.group.hasLayer(d.shape)) d.group.removeLayer(d.shape);
          if (visible) shownPlaces.push(d.place);
        });
        var bounds = focusBounds(shownPlaces);
        if (bounds.isValid()) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 8});
      });
    }
  }

  function focusBounds(places) {
    // What the article is about: points and outlines smaller than a large country, so a
    // country named in passing does not pull the view across the world.
    var bounds = L.latLngBounds([]), small = 400;
    places.forEach(function (place) {
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

  function basemapLabels(map, labels) {
    // Country names on the offline basemap: text nodes in a pane beneath the places, shown from
    // the zoom at which each fits.
    map.getPane("geomapLabels").style.pointerEvents = "none";
    var markers = labels.map(function (label) {
      var icon = L.divIcon({className: "geomap-label", html: el("span", null, label.name), iconSize: null});
      return {zoom: label.zoom, marker: L.marker([label.lat, label.lon], {icon: icon, pane: "geomapLabels",
                                                                          interactive: false, keyboard: false})};
    });
    function update() {
      var zoom = map.getZoom();
      markers.forEach(function (m) {
        if (zoom >= m.zoom) { if (!map.hasLayer(m.marker)) m.marker.addTo(map); }
        else if (map.hasLayer(m.marker)) map.removeLayer(m.marker);
      });
    }
    map.on("zoomend", update);
    update();
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
      basemapLabels(map, view.labels);
    }
    drawPlaces(view, map);
    legend(view, map);
    limitPopups(map);
    if (view.view) map.setView([view.view[0], view.view[1]], view.view[2], {animate: false});
    else keepFitted(map, focusBounds(view.places));
  };
})();
