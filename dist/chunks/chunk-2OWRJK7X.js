import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  InputError
} from "./chunk-ANZINBH5.js";

// src/kernel/profiles.ts
var API_NAMES = ["v1", "2024"];
function isApiName(value) {
  return typeof value === "string" && API_NAMES.includes(value);
}
var NAMESPACE = "dev";
function qualify(skill) {
  return skill.includes("/") ? skill : `${NAMESPACE}/${skill}`;
}
function unqualify(skill) {
  const prefix = `${NAMESPACE}/`;
  return skill.startsWith(prefix) ? skill.slice(prefix.length) : skill;
}
function pathOf(skill) {
  return qualify(skill).split("/").map(encodeURIComponent).join("/");
}
function commonEnv(opts) {
  return { NAMESPACE_UPDATE_INTERVAL: opts.updateInterval, LOG_LEVEL: opts.logLevel };
}
var V1 = {
  name: "v1",
  addressVar: "KERNEL_ADDRESS",
  tokenVar: "PHARIA_AI_TOKEN",
  skillsDirFromCwd: false,
  health: "/health",
  listSkills: "/v1/skills",
  cachedSkills: "/cached_skills",
  run: (skill, input) => ({
    method: "POST",
    path: `/v1/skills/${pathOf(skill)}/run`,
    body: JSON.stringify(input)
  }),
  drop: (skill) => ({ method: "DELETE", path: `/cached_skills/${pathOf(skill)}` }),
  env(opts) {
    const env = {
      ...commonEnv(opts),
      KERNEL_ADDRESS: opts.address,
      NAMESPACES__DEV__DIRECTORY: opts.skillsDir
    };
    if (opts.metricsAddress !== void 0) env.METRICS_ADDRESS = opts.metricsAddress;
    if (opts.token !== void 0) env.PHARIA_AI_TOKEN = opts.token;
    return env;
  }
};
var V2024 = {
  name: "2024",
  addressVar: "PHARIA_KERNEL_ADDRESS",
  tokenVar: "AA_API_TOKEN",
  skillsDirFromCwd: true,
  health: "/healthcheck",
  listSkills: "/skills",
  cachedSkills: "/cached_skills",
  run: (skill, input) => ({
    method: "POST",
    path: "/execute_skill",
    body: JSON.stringify({ skill: qualify(skill), input })
  }),
  // This kernel takes the qualified name as ONE path segment: `dev%2Fa`.
  drop: (skill) => ({
    method: "DELETE",
    path: `/cached_skills/${encodeURIComponent(qualify(skill))}`
  }),
  env(opts) {
    const env = { ...commonEnv(opts), PHARIA_KERNEL_ADDRESS: opts.address };
    if (opts.token !== void 0) env.AA_API_TOKEN = opts.token;
    return env;
  }
};
var PROFILES = { v1: V1, "2024": V2024 };
function profileFor(name) {
  return PROFILES[name];
}
var getProfile = profileFor;

// src/compare/types.ts
var COMPARISON_SCHEMA = 1;
var METRICS = [
  "took",
  "rss",
  "rss_diff",
  "peak_rss",
  "cpu_ms",
  "p95",
  "first_exec_ms",
  "errors"
];
var STATUSES = ["regressed", "noisy", "improved", "unchanged"];
var THRESHOLD_METRICS = [
  "took",
  "rss_diff",
  "peak_rss",
  "rss",
  "p95",
  "first_exec",
  "slope",
  "errors"
];

// src/compare/thresholds.ts
var THRESHOLDS = {
  took: { pct: 10, floor: 5, unit: "ms" },
  rss_diff: { pct: 5, floor: 4096, unit: "KiB" },
  peak_rss: { pct: 5, floor: 4096, unit: "KiB" },
  rss: { pct: 5, floor: 4096, unit: "KiB" },
  p95: { pct: 20, floor: 5, unit: "ms" },
  first_exec: { pct: 10, floor: 10, unit: "ms" },
  slope: { pct: 5, floor: 1024, unit: "KiB/skill" },
  errors: { pct: 0, floor: 0, unit: "requests" }
};
var ONE_RUN_GROSS = {
  time: { pct: 100, floor: 250, unit: "ms" },
  peak: { pct: 50, floor: 65536, unit: "KiB" }
};
function resolveThresholds(overrides = {}) {
  const out = {};
  for (const metric of THRESHOLD_METRICS) {
    out[metric] = { ...THRESHOLDS[metric], ...overrides[metric] };
  }
  return out;
}
var SETTABLE = THRESHOLD_METRICS.filter((m) => m !== "errors");
var THRESHOLD_SYNTAX = `METRIC=PCT[%][:FLOOR], METRIC one of ${SETTABLE.join(", ")}`;
function parseThresholds(values) {
  const out = {};
  for (const value of values) {
    const m = /^([a-z_0-9]+)=(\d+(?:\.\d+)?)%?(?::(\d+(?:\.\d+)?))?$/.exec(value.trim());
    if (!m) {
      throw new InputError(
        `--threshold ${JSON.stringify(value)}: expected ${THRESHOLD_SYNTAX} (e.g. took=15%)`
      );
    }
    const metric = m[1];
    if (!SETTABLE.includes(metric)) {
      throw new InputError(
        `--threshold ${JSON.stringify(value)}: unknown metric "${m[1]}", expected one of ${SETTABLE.join(", ")}` + (m[1] === "errors" ? " (any new error always regresses)" : "")
      );
    }
    out[metric] = { pct: Number(m[2]), ...m[3] !== void 0 ? { floor: Number(m[3]) } : {} };
  }
  return out;
}
function describeThresholds(t = THRESHOLDS) {
  return THRESHOLD_METRICS.map(
    (m) => m === "errors" ? "errors: any new error" : `${m} ${t[m].pct}% and ${t[m].floor} ${t[m].unit}`
  ).join(", ");
}

export {
  API_NAMES,
  isApiName,
  unqualify,
  PROFILES,
  getProfile,
  COMPARISON_SCHEMA,
  METRICS,
  STATUSES,
  ONE_RUN_GROSS,
  resolveThresholds,
  THRESHOLD_SYNTAX,
  parseThresholds,
  describeThresholds
};
