import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  InputError
} from "./chunk-SHADZY5Y.js";

// node_modules/parse-duration/locale/en.js
var unit = /* @__PURE__ */ Object.create(null);
var m = 6e4;
var h = m * 60;
var d = h * 24;
var y = d * 365.25;
unit.year = unit.yr = unit.y = y;
unit.month = unit.mo = unit.mth = y / 12;
unit.week = unit.wk = unit.w = d * 7;
unit.day = unit.d = d;
unit.hour = unit.hr = unit.h = h;
unit.minute = unit.min = unit.m = m;
unit.second = unit.sec = unit.s = 1e3;
unit.millisecond = unit.millisec = unit.ms = 1;
unit.microsecond = unit.microsec = unit.us = unit.\u00B5s = 1e-3;
unit.nanosecond = unit.nanosec = unit.ns = 1e-6;
unit.group = ",";
unit.decimal = ".";
unit.placeholder = " _";
var en_default = unit;

// node_modules/parse-duration/index.js
var durationRE = /((?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([\p{L}]{0,14})/gu;
parse.unit = en_default;
var groupRE;
var placeholder = null;
var group;
var lookupUnit = (unit2, name) => {
  name = String(name).toLowerCase();
  return unit2[name] ?? (name.endsWith("s") ? unit2[name.slice(0, -1)] : void 0);
};
function parse(str = "", format = "ms") {
  let result = null, prevUnits, unit2 = parse.unit;
  if (unit2.placeholder !== placeholder || unit2.group !== group)
    groupRE = new RegExp(`(\\d)[${(placeholder = unit2.placeholder) ?? ""}${(group = unit2.group) ?? ""}](\\d)`, "g");
  str = String(str);
  let s = str.replace(groupRE, "$1$2");
  if (unit2.decimal !== ".") s = s.replaceAll(unit2.decimal, ".");
  durationRE.lastIndex = 0;
  for (let m2; m2 = durationRE.exec(s); ) {
    let units = m2[2];
    if (!units) {
      if (prevUnits) {
        for (const u in unit2) if (unit2[u] < prevUnits) {
          units = u;
          break;
        }
      } else units = format;
    }
    prevUnits = units = lookupUnit(unit2, units);
    if (typeof units == "number") result = (result || 0) + m2[1] * units;
  }
  return result && result / (lookupUnit(unit2, format) || 1) * (str.trimStart()[0] === "-" ? -1 : 1);
}

// src/duration.ts
var EXPECTED = "a duration with a unit above 0, e.g. 500ms, 1s, 2m or 1m30s";
function parseDuration(what, text) {
  const value = /^\s*[\d.]+\s*$/.test(text) ? null : parse(text);
  if (value == null || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${what}=${JSON.stringify(text)} is not valid: expected ${EXPECTED}`);
  }
  return Math.round(value);
}

export {
  parseDuration
};
