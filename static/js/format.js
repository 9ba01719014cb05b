/* mapserver: the words and small graphics of a map's popups, tooltips and table.
   Everything from the data goes into the page as text nodes, never as HTML. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var SVG = "http://www.w3.org/2000/svg";
  // Figures as en-GB writes them (1,234.5), without Intl.NumberFormat: making the first
  // one loads the locale's data, a long task on a slow phone, for what toFixed does.
  function fixed(places) {
    return {
      format: function (value) {
        var parts = Math.abs(value).toFixed(places).split(".");
        parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
        var negative = value < 0 && Number(parts.join(".")) !== 0;
        return (negative ? "-" : "") + parts.join(".");
      }
    };
  }
  var number1 = fixed(1);
  var whole = fixed(0);
  // What the figures are: the Covid cases' words unless the values say otherwise
  // (another indicator's values carry its unit, rounding and the name of its periods).
  var words = {};
  var figure = number1;

  function configure(values) {
    words = {
      unit: values.unit === undefined ? "per 100,000" : values.unit,
      legend: values.legend_title || "Cases per 100,000",
      heading: values.value_heading || "Rate per 100,000",
      noun: values.count_noun || ["case", "cases"],
      weekly: !values.period_kind,
      confidence: values.confidence || "95"
    };
    var places = values.decimals === undefined ? 1 : values.decimals;
    figure = fixed(places);
  }
  configure({});

  function during(weekText) {
    return (words.weekly ? " in the " : " in ") + weekText;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function ordinal(n) {
    var tens = n % 100, units = n % 10;
    if (tens >= 10 && tens <= 20) return n + "th";
    return n + (units === 1 ? "st" : units === 2 ? "nd" : units === 3 ? "rd" : "th");
  }

  // The region's areas as a lean (format 2) TopoJSON names them: those with a name, in
  // its order, which is the order of a lean values file's columns. The first format's
  // TopoJSON names none (its values carry the names).
  function readPlaces(topology) {
    var places = { version: topology.version || null, codes: [], names: {}, short: {} };
    topology.objects.areas.geometries.forEach(function (geometry) {
      var properties = geometry.properties;
      if (!properties || typeof properties.name !== "string") return;
      places.codes.push(geometry.id);
      places.names[geometry.id] = properties.name;
      if (properties.short) places.short[geometry.id] = properties.short;
    });
    return places;
  }

  // A lean column: an array, or a common value with its exceptions by position.
  function column(spec, count) {
    if (Array.isArray(spec)) {
      if (spec.length !== count) throw new Error("the figures do not match the map's areas");
      return spec;
    }
    var items = [];
    for (var i = 0; i < count; i++) items.push(spec.value);
    Object.keys(spec.except || {}).forEach(function (at) { items[Number(at)] = spec.except[at]; });
    return items;
  }

  // Either format's figures as one object per area, keyed by code: the first format's
  // rows in the order of values.fields, or format 2's columns in the order of `places`.
  function readAreas(values, places) {
    configure(values);
    var areas = {};
    if (values.format === 2) {
      // Columns follow the geometry's order: a file for another geometry would put the
      // figures on the wrong areas.
      if (!places || values.geometry !== places.version) {
        throw new Error("the figures are for another version of the map's areas");
      }
      var count = places.codes.length, columns = {};
      Object.keys(values.columns).forEach(function (name) { columns[name] = column(values.columns[name], count); });
      places.codes.forEach(function (code, i) {
        var area = { code: code, name: values.names ? values.names[i] : places.names[code] };
        Object.keys(columns).forEach(function (name) { area[name] = columns[name][i]; });
        areas[code] = finish(area, values, values.notes[i]);
      });
      return areas;
    }
    var at = {};
    values.fields.forEach(function (name, i) { at[name] = i; });
    Object.keys(values.areas).forEach(function (code) {
      var row = values.areas[code];
      var area = { code: code };
      Object.keys(at).forEach(function (name) { area[name] = row[at[name]]; });
      areas[code] = finish(area, values, values.notes[code]);
    });
    return areas;
  }

  // What either format leaves to the reader: colour, suppression, country, note.
  function finish(area, values, note) {
    area.colour = area.band === null ? values.no_data_colour : values.colours[area.band];
    // A suppressed small count: its own colour and reason, never "no data".
    if (area.suppressed) {
      area.colour = values.suppressed_colour;
      area.suppressed = values.suppressed_reason;
    }
    area.country = values.countries[area.country];
    area.note = note || null;
    area.national = values.national && area.country in values.national ? values.national[area.country] : null;
    return area;
  }

  // Which areas to label, by code: `top` (the week's highest), `others` (the rest,
  // largest population first) and `short` names. Format 2 gives positions, and leaves
  // out what the lean geometry's order and short names already say.
  function readLabels(values, places) {
    var labels = values.labels || {};
    if (values.format !== 2) {
      return { top: labels.top || [], others: labels.others || [], short: labels.short || {} };
    }
    var codes = places.codes, short = {};
    var top = (labels.top || []).map(function (at) { return codes[at]; });
    var others = labels.others ? labels.others.map(function (at) { return codes[at]; }) :
      codes.filter(function (code) { return top.indexOf(code) < 0; });
    if (labels.short) {
      Object.keys(labels.short).forEach(function (at) { short[codes[Number(at)]] = labels.short[at]; });
    } else {
      short = places.short;
    }
    return { top: top, others: others, short: short };
  }

  function rateText(area) {
    if (area.suppressed) return "suppressed";
    return area.rate === null ? "no data" : figure.format(area.rate);
  }

  function changeText(area) {
    if (area.previous_rate === null) {
      return ["unknown", "No comparison with the previous " + (words.weekly ? "7 days" : "period")];
    }
    var before = " from " + figure.format(area.previous_rate) + (words.weekly ? " the week before" : " the period before");
    var change;
    if (area.change_pct === null) {
      change = area.rate > 0 ? ["up", "Up" + before] : ["same", "No change" + before];
    } else if (area.change_pct > 0) {
      change = ["up", "\u25B2 " + number1.format(area.change_pct) + "%" + before];
    } else if (area.change_pct < 0) {
      change = ["down", "\u25BC " + number1.format(-area.change_pct) + "%" + before];
    } else {
      change = ["same", "No change" + before];
    }
    return tested(area, change);
  }

  // An indicator's change with its test (words/popups.py `tested`): only a significant
  // rise or fall is coloured as one; an untested change is not said to be more than chance.
  var CHANCE = {
    "significant": ": more than chance would explain",
    "not significant": ": within chance variation (not significant)",
    "intervals overlap": ": the two periods' 95% confidence intervals overlap"
  };

  function tested(area, change) {
    if (area.change_test === undefined || change[0] === "same") return change;
    var said = CHANCE[area.change_test];
    if (!said) return ["unsure", change[1]];
    return [area.change_test === "significant" ? change[0] : "unsure", change[1] + said];
  }

  function rankText(area) {
    var rank = ordinal(area.rank) + " of " + area.rank_of + " in " + area.country;
    return area.tied ? "Joint " + rank : rank;
  }

  function label(area) {
    return area.name + ": " + (area.rate === null ? rateText(area) : (rateText(area) + " " + words.unit).trim());
  }

  // Runs of consecutive weeks whose rate and both limits are known: [[i, j], ...].
  function knownRuns(rates, lower, upper) {
    var runs = [], start = null;
    for (var i = 0; i <= rates.length; i++) {
      var known = i < rates.length && rates[i] !== null && lower[i] !== null && upper[i] !== null &&
        lower[i] !== undefined && upper[i] !== undefined;
      if (known && start === null) start = i;
      if (!known && start !== null) { runs.push([start, i - 1]); start = null; }
    }
    return runs;
  }

  // The rates as a line; with `lower` and `upper` (each rate's 95% limits), a light band
  // under the line, and the y axis reaching the band's top.
  function sparkline(rates, weekText, lower, upper) {
    var known = rates.filter(function (r) { return r !== null; });
    if (known.length < 2) return null;
    var width = 150, height = 34, pad = 3;
    var runs = lower && upper && lower.length === rates.length && upper.length === rates.length ?
      knownRuns(rates, lower, upper) : [];
    var highs = known.slice();
    runs.forEach(function (run) {
      for (var i = run[0]; i <= run[1]; i++) highs.push(upper[i]);
    });
    var top = Math.max.apply(null, highs) || 1;
    var step = (width - 2 * pad) / (rates.length - 1);
    function x(i) { return pad + i * step; }
    function y(value) { return height - pad - (Math.max(value, 0) / top) * (height - 2 * pad); }
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "sparkline");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("role", "img");
    var first = known[0], last = known[known.length - 1];
    svg.setAttribute("aria-label", "Rate over the " + rates.length + (words.weekly ? " weeks to " : " periods to ") +
      weekText.replace(/^7 days to /, "") + ": from " + number1.format(first) + " to " + number1.format(last) +
      (runs.length ? ". The shaded band is the 95% confidence interval" : ""));
    if (runs.length) {
      var band = "";
      runs.forEach(function (run) {
        // A lone week is a narrow bar; a run is the upper limits, then the lower ones back.
        var a = run[0], b = run[1], half = a === b ? 1 : 0, i, along = [], back = [];
        for (i = a; i <= b; i++) along.push((x(i) - half).toFixed(1) + " " + y(upper[i]).toFixed(1));
        if (half) along.push((x(b) + half).toFixed(1) + " " + y(upper[b]).toFixed(1));
        for (i = b; i >= a; i--) back.push((x(i) + half).toFixed(1) + " " + y(lower[i]).toFixed(1));
        if (half) back.push((x(a) - half).toFixed(1) + " " + y(lower[a]).toFixed(1));
        band += "M" + along.join("L") + "L" + back.join("L") + "Z";
      });
      var shade = document.createElementNS(SVG, "path");
      shade.setAttribute("d", band);
      shade.setAttribute("class", "sparkline-band");
      svg.appendChild(shade);
    }
    var path = "", lastPoint = null;
    rates.forEach(function (rate, i) {
      if (rate === null) { lastPoint = null; return; }
      path += (lastPoint ? "L" : "M") + x(i).toFixed(1) + " " + y(rate).toFixed(1);
      lastPoint = [x(i), y(rate)];
    });
    var line = document.createElementNS(SVG, "path");
    line.setAttribute("d", path);
    line.setAttribute("class", "sparkline-line");
    svg.appendChild(line);
    if (lastPoint && rates[rates.length - 1] !== null) {
      var dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", lastPoint[0].toFixed(1));
      dot.setAttribute("cy", lastPoint[1].toFixed(1));
      dot.setAttribute("r", "2.5");
      dot.setAttribute("class", "sparkline-dot");
      svg.appendChild(dot);
    }
    return svg;
  }

  function popupContent(area, weekText) {
    var box = el("div", "popup");
    box.appendChild(el("h3", "popup-name", area.name));
    if (area.rate !== null) {
      var rate = el("p", "popup-rate");
      rate.appendChild(el("strong", "popup-rate-value", rateText(area)));
      if (words.unit) rate.appendChild(document.createTextNode(" " + words.unit));
      box.appendChild(rate);
      if (hasLimits(area)) {
        box.appendChild(el("p", "popup-ci", words.confidence + "% confidence interval " +
          figure.format(area.lower) + " to " + figure.format(area.upper)));
      }
      if (area.compared) {  // (the country's figure is withheld where it would reveal a count)
        box.appendChild(el("p", "popup-compared popup-compared-" + area.compared, comparedText(area) +
          (area.national === null ? "" : " (" + figure.format(area.national) + ")")));
      }
      if (area.cases !== null && area.cases !== undefined) {
        var cases = whole.format(area.cases) + " " + words.noun[area.cases === 1 ? 0 : 1];
        box.appendChild(el("p", "popup-cases", cases + during(weekText)));
      } else if (!words.weekly) {
        box.appendChild(el("p", "popup-cases", weekText));
      }
      var change = changeText(area);
      box.appendChild(el("p", "popup-change popup-change-" + change[0], change[1]));
      box.appendChild(el("p", "popup-rank", rankText(area)));
    } else if (area.suppressed) {
      box.appendChild(el("p", "popup-suppressed", "Figure suppressed: " + area.suppressed +
        " in " + weekText + ", too few to publish"));
    } else {
      box.appendChild(el("p", "popup-missing", words.weekly ?
        "No complete figures for the " + weekText + ": " + area.days_known + " of 7 days reported" :
        "No figure for " + weekText));
    }
    if (area.note) box.appendChild(el("p", "popup-note", area.note));
    box.appendChild(el("div", "popup-trend"));
    return box;
  }

  function comparedText(area) {
    var how = { higher: "Higher than ", lower: "Lower than ", similar: "Similar to " };
    return how[area.compared] + area.country;
  }

  function tooltipContent(area) {
    var box = el("div", "tip");
    box.appendChild(el("strong", null, area.name));
    var shown = rateText(area);
    box.appendChild(el("span", null, area.rate === null ? shown[0].toUpperCase() + shown.slice(1) : shown));
    return box;
  }

  function hasLimits(area) {
    return area.rate !== null && area.lower !== null && area.lower !== undefined &&
      area.upper !== null && area.upper !== undefined;
  }

  // "12.2 to 32.4", and beside it the same interval drawn on the table's scale: a line
  // from lower to upper, a dot at the rate, a tick at the national figure. The bar is
  // decorative (aria-hidden): the text says it all.
  function intervalCell(area, top) {
    var cell = el("td", "ci");
    if (!hasLimits(area) || !(top > 0)) {
      cell.textContent = "\u2013";
      return cell;
    }
    cell.appendChild(el("span", "ci-text", figure.format(area.lower) + " to " + figure.format(area.upper)));
    cell.appendChild(intervalBar(area.lower, area.upper, area.rate, area.national, top));
    return cell;
  }

  function intervalBar(lower, upper, rate, national, top) {
    var width = 60, height = 10, pad = 3;
    function x(value) { return (pad + Math.min(Math.max(value, 0), top) / top * (width - 2 * pad)).toFixed(1); }
    function shape(tag, attributes) {
      var node = document.createElementNS(SVG, tag);
      Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
      return node;
    }
    var svg = shape("svg", { "class": "ci-bar", width: width, height: height, viewBox: "0 0 " + width + " " + height,
      "aria-hidden": "true", focusable: "false" });
    svg.appendChild(shape("line", { "class": "ci-bar-track", x1: x(0), x2: x(top), y1: height / 2, y2: height / 2 }));
    if (national !== null && national !== undefined) {
      svg.appendChild(shape("line", { "class": "ci-bar-national", x1: x(national), x2: x(national), y1: 0, y2: height }));
    }
    svg.appendChild(shape("line", { "class": "ci-bar-range", x1: x(lower), x2: x(upper), y1: height / 2, y2: height / 2 }));
    svg.appendChild(shape("circle", { "class": "ci-bar-rate", cx: x(rate), cy: height / 2, r: 2.5 }));
    return svg;
  }

  function figuresTable(areas, caption) {
    var rows = Object.keys(areas).map(function (code) { return areas[code]; });
    rows.sort(function (a, b) {
      if (a.rate === null && b.rate === null) return a.name.localeCompare(b.name, "en-GB");
      if (a.rate === null) return 1;
      if (b.rate === null) return -1;
      return b.rate - a.rate || a.name.localeCompare(b.name, "en-GB");
    });
    var table = el("table", "figures");
    table.appendChild(el("caption", null, caption));
    var head = el("tr");
    var rateHeader = words.heading;
    var comparing = rows.some(function (area) { return area.compared; });
    var limited = rows.filter(hasLimits);
    // One scale for every bar in the table: 0 to the highest upper limit (or national figure).
    var scaleTop = Math.max.apply(null, [0].concat(limited.map(function (area) {
      return Math.max(area.upper, area.national === null ? 0 : area.national);
    })));
    var headers = ["Area", rateHeader, words.weekly ? "Cases" : "Count", "Change", "Rank"];
    var ciHeader = words.confidence + "% CI";
    if (limited.length) headers.push(ciHeader);
    if (comparing) headers.push("Compared");
    headers.forEach(function (title, i) {
      var th = el("th", i && title !== ciHeader ? "num" : null, title);
      th.setAttribute("scope", "col");
      head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (area) {
      var tr = el("tr");
      tr.setAttribute("data-code", area.code);
      var name = el("th", null, area.name);
      name.setAttribute("scope", "row");
      tr.appendChild(name);
      tr.appendChild(el("td", "num", rateText(area)));
      tr.appendChild(el("td", "num", area.cases === null ? "\u2013" : whole.format(area.cases)));
      tr.appendChild(el("td", "num", area.change_pct === null ? "\u2013" :
        (area.change_pct > 0 ? "+" : "") + number1.format(area.change_pct) + "%"));
      tr.appendChild(el("td", "num", area.rank === null ? "\u2013" : area.rank + (area.tied ? "=" : "") + " of " + area.rank_of));
      if (limited.length) tr.appendChild(intervalCell(area, scaleTop));
      if (comparing) tr.appendChild(el("td", null, area.compared ? comparedText(area) : "\u2013"));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  MS.format = {
    el: el,
    configure: configure,
    readPlaces: readPlaces,
    readAreas: readAreas,
    readLabels: readLabels,
    popupContent: popupContent,
    tooltipContent: tooltipContent,
    sparkline: sparkline,
    fixed: fixed,
    figuresTable: figuresTable,
    label: label,
    ordinal: ordinal,
    legendTitle: function () { return words.legend; },
    trendLabel: function (n) { return "Last " + n + (words.weekly ? " weeks" : " periods"); }
  };
})();
