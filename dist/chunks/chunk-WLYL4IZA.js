import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  InputError
} from "./chunk-ANZINBH5.js";

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
var MAX_DURATION_MS = 2 ** 31 - 1;
function parseDuration(what, text) {
  const value = /^\s*[\d.]+\s*$/.test(text) ? null : parse(text);
  if (value == null || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${what}=${JSON.stringify(text)} is not valid: expected ${EXPECTED}`);
  }
  if (Math.round(value) > MAX_DURATION_MS) {
    throw new InputError(
      `${what}=${JSON.stringify(text)} is too long: at most 24 days (${MAX_DURATION_MS} ms), the longest a Node.js timer waits`
    );
  }
  return Math.round(value);
}

// src/emulator/config.ts
var LOG_LEVELS = ["off", "error", "warn", "info", "debug", "trace"];
var HEALTH_MODES = ["ok", "never"];
var DEFAULT_ADDRESS = "127.0.0.1:8081";
var DEFAULT_SKILL_MEMORY_FACTOR = 24;
var LOAD_MS_PER_MIB = 50;
var MAX_MEMORY_KB = 4 * 1024 * 1024;
var KNOBS = [
  "KB_EMU_SKILL_MEMORY_FACTOR",
  "KB_EMU_SKILL_MEMORY_KB",
  "KB_EMU_LOAD_MS",
  "KB_EMU_LIST_DELAY_MS",
  "KB_EMU_MAX_IN_FLIGHT",
  "KB_EMU_CRASH_AFTER",
  "KB_EMU_STOP_DELAY_MS",
  "KB_EMU_IGNORE_SIGTERM",
  "KB_EMU_HEALTH",
  "KB_EMU_WAIT_FOR_CLIENTS"
];
function bad(name, value, expected) {
  return new InputError(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
}
function get(env, name) {
  const value = env[name];
  return value === void 0 || value.trim() === "" ? void 0 : value.trim();
}
function parseAddress(name, value) {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw bad(name, value, "host:port, e.g. 127.0.0.1:8081 or [::1]:8081, port 0-65535");
  }
  return { host: match[1] ?? match[2], port, source: name };
}
function parseUnsigned(name, value, min = 0) {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw bad(name, value, `an integer of at least ${min}`);
  }
  return n;
}
function parsePositiveNumber(name, value) {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw bad(name, value, "a number above 0, e.g. 24 or 0.5");
  return n;
}
function parseBoolean(name, value) {
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw bad(name, value, "one of 1, true, 0, false");
}
function isLevel(value) {
  return LOG_LEVELS.includes(value);
}
function parseLogLevel(name, value) {
  const expected = `one of ${LOG_LEVELS.join(", ")}, or a list such as warn,pharia_kernel=debug`;
  let bare;
  let kernel;
  for (const raw of value.toLowerCase().split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    const level = eq < 0 ? item : item.slice(eq + 1);
    if (!isLevel(level)) throw bad(name, value, expected);
    if (eq < 0) bare = level;
    else if ("pharia_kernel".startsWith(item.slice(0, eq).split("::")[0])) kernel = level;
  }
  return kernel ?? bare ?? "info";
}
function parseChoice(name, value, allowed) {
  if (allowed.includes(value)) return value;
  throw bad(name, value, `one of ${allowed.join(", ")}`);
}
function readConfig(env = process.env) {
  const unknown = Object.keys(env).filter((name) => name.startsWith("KB_EMU_") && !KNOBS.includes(name)).sort();
  if (unknown.length > 0) {
    throw new InputError(
      `${unknown.join(", ")}: not ${unknown.length > 1 ? "emulator knobs" : "an emulator knob"}; expected one of ${KNOBS.join(", ")}`
    );
  }
  const addressName = get(env, "KERNEL_ADDRESS") ? "KERNEL_ADDRESS" : get(env, "PHARIA_KERNEL_ADDRESS") ? "PHARIA_KERNEL_ADDRESS" : void 0;
  const address = addressName ? parseAddress(addressName, get(env, addressName)) : { ...parseAddress("default", DEFAULT_ADDRESS), source: "default" };
  const metrics = get(env, "METRICS_ADDRESS");
  const interval = get(env, "NAMESPACE_UPDATE_INTERVAL");
  const level = get(env, "LOG_LEVEL");
  const factor = get(env, "KB_EMU_SKILL_MEMORY_FACTOR");
  const kb = get(env, "KB_EMU_SKILL_MEMORY_KB");
  const load = get(env, "KB_EMU_LOAD_MS");
  const listDelay = get(env, "KB_EMU_LIST_DELAY_MS");
  const maxInFlight = get(env, "KB_EMU_MAX_IN_FLIGHT");
  const crashAfter = get(env, "KB_EMU_CRASH_AFTER");
  const stopDelay = get(env, "KB_EMU_STOP_DELAY_MS");
  const ignore = get(env, "KB_EMU_IGNORE_SIGTERM");
  const waitForClients = get(env, "KB_EMU_WAIT_FOR_CLIENTS");
  const health = get(env, "KB_EMU_HEALTH");
  const parsedFactor = factor ? parsePositiveNumber("KB_EMU_SKILL_MEMORY_FACTOR", factor) : DEFAULT_SKILL_MEMORY_FACTOR;
  let skillMemory = { kind: "factor", factor: parsedFactor };
  if (kb) {
    const value = parseUnsigned("KB_EMU_SKILL_MEMORY_KB", kb);
    if (value > MAX_MEMORY_KB) {
      throw bad("KB_EMU_SKILL_MEMORY_KB", kb, `at most ${MAX_MEMORY_KB} (4 GiB)`);
    }
    skillMemory = { kind: "kb", kb: value };
  }
  return {
    address,
    skillsDir: get(env, "NAMESPACES__DEV__DIRECTORY") ?? "skills",
    updateIntervalMs: interval ? parseDuration("NAMESPACE_UPDATE_INTERVAL", interval) : 1e3,
    logLevel: level ? parseLogLevel("LOG_LEVEL", level) : "info",
    metricsAddress: metrics ? parseAddress("METRICS_ADDRESS", metrics) : null,
    tokens: [get(env, "PHARIA_AI_TOKEN"), get(env, "AA_API_TOKEN")].filter(
      (t) => t !== void 0
    ),
    skillMemory,
    loadMs: load ? parseUnsigned("KB_EMU_LOAD_MS", load) : null,
    listDelayMs: listDelay ? parseUnsigned("KB_EMU_LIST_DELAY_MS", listDelay) : 0,
    maxInFlight: maxInFlight ? parseUnsigned("KB_EMU_MAX_IN_FLIGHT", maxInFlight, 1) : Infinity,
    crashAfter: crashAfter ? parseUnsigned("KB_EMU_CRASH_AFTER", crashAfter) : null,
    stopDelayMs: stopDelay ? parseUnsigned("KB_EMU_STOP_DELAY_MS", stopDelay) : 0,
    ignoreSigterm: ignore ? parseBoolean("KB_EMU_IGNORE_SIGTERM", ignore) : false,
    waitForClients: waitForClients ? parseBoolean("KB_EMU_WAIT_FOR_CLIENTS", waitForClients) : false,
    health: health ? parseChoice("KB_EMU_HEALTH", health, HEALTH_MODES) : "ok"
  };
}

export {
  parseDuration,
  LOAD_MS_PER_MIB,
  MAX_MEMORY_KB,
  readConfig
};
