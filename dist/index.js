import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  API_NAMES,
  parseThresholds
} from "./chunks/chunk-2OWRJK7X.js";
import {
  debug,
  getInput,
  setFailed,
  setSecret
} from "./chunks/chunk-TFF7XXZR.js";
import {
  InputError,
  KernelError
} from "./chunks/chunk-ANZINBH5.js";

// src/action/inputs.ts
import { isAbsolute, resolve } from "node:path";
var MODES = ["run", "report"];
var COMMENT_WHEN = ["always", "on-change", "never"];
var EMULATOR_KERNEL = "emulator";
var INPUT_DEFAULTS = {
  mode: "run",
  build: "cargo build --release",
  "working-directory": ".",
  kernel: "target/release/pharia-kernel",
  api: "v1",
  skills: "",
  scripts: "cmds/bench.cmds",
  // One run per side gives no noise estimate and shared runners are noisy:
  // three runs let the t-test tell a change from noise.
  iterations: "3",
  "baseline-dir": "baselines",
  // Empty: compare's own defaults (THRESHOLDS in src/compare/thresholds.ts).
  thresholds: "",
  "fail-on-regression": "false",
  comment: "always",
  // action.yml defaults this to `${{ github.token }}`.
  "github-token": "",
  "artifact-prefix": "kernel-bench",
  "results-dir": "",
  "base-ref": ""
};
function readSettings() {
  const token = raw("github-token");
  if (token) setSecret(token);
  const mode = oneOf("mode", MODES);
  const workingDirectory = resolve(raw("working-directory") || ".");
  const at = (p) => isAbsolute(p) ? p : resolve(workingDirectory, p);
  const kernelInput = raw("kernel");
  if (!kernelInput && mode === "run") {
    throw new InputError(
      `input 'kernel' is empty; expected a path to the kernel binary or '${EMULATOR_KERNEL}'`
    );
  }
  const kernel = kernelInput === EMULATOR_KERNEL ? void 0 : [at(kernelInput)];
  const settings = {
    mode,
    build: raw("build"),
    workingDirectory,
    kernel,
    api: oneOf("api", API_NAMES),
    skills: skillLines(raw("skills"), at),
    scripts: lines(raw("scripts")),
    iterations: unsignedInt("iterations", 1, 1e3),
    baselineDir: at(raw("baseline-dir") || INPUT_DEFAULTS["baseline-dir"]),
    thresholds: thresholdLines(raw("thresholds")),
    failOnRegression: strictBoolean("fail-on-regression"),
    comment: oneOf("comment", COMMENT_WHEN),
    token,
    artifactPrefix: artifactPrefix(raw("artifact-prefix")),
    resultsDir: raw("results-dir") ? at(raw("results-dir")) : void 0,
    baseRef: raw("base-ref") || void 0
  };
  if (settings.mode === "run" && settings.scripts.length === 0) {
    throw new InputError(`input 'scripts' is empty; expected one or more globs, one a line`);
  }
  if (settings.mode === "run" && settings.resultsDir) {
    throw new InputError(
      `input 'results-dir' is set to '${raw("results-dir")}' but 'mode' is 'run'; results-dir is read by 'mode: report' only`
    );
  }
  if (settings.baseRef && settings.mode !== "run") {
    throw new InputError(
      `input 'base-ref' is set to '${settings.baseRef}' but 'mode' is '${settings.mode}'; base-ref is used by 'mode: run' only`
    );
  }
  if (settings.baseRef && (settings.baseRef.startsWith("-") || /\s/.test(settings.baseRef))) {
    throw new InputError(
      `input 'base-ref' is '${settings.baseRef}'; expected a branch, tag or commit (e.g. 'origin/main' or a SHA), not starting with '-' and without spaces`
    );
  }
  debug(`resolved settings: ${JSON.stringify({ ...settings, token: token ? "***" : "" })}`);
  return settings;
}
function raw(name) {
  const key = `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
  if (process.env[key] === void 0) return INPUT_DEFAULTS[name];
  return getInput(name);
}
function oneOf(name, allowed) {
  const value = raw(name);
  if (!isOneOf(value, allowed)) {
    throw new InputError(
      `input '${name}' is '${value}'; expected one of ${allowed.map((a) => `'${a}'`).join(", ")}`
    );
  }
  return value;
}
function isOneOf(value, allowed) {
  return allowed.includes(value);
}
function strictBoolean(name) {
  const value = raw(name);
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new InputError(`input '${name}' is '${value}'; expected 'true' or 'false'`);
}
function unsignedInt(name, min, max) {
  const value = raw(name);
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(
      `input '${name}' is '${value}'; expected a whole number from ${min} to ${max}`
    );
  }
  return Number(value);
}
function thresholdLines(value) {
  const out = {};
  lines(value).forEach((l, i) => {
    try {
      Object.assign(out, parseThresholds([l]));
    } catch (error) {
      const detail = error.message.replace(/^--threshold /, "");
      throw new InputError(`input 'thresholds' line ${i + 1}: ${detail}`);
    }
  });
  return out;
}
function lines(value) {
  return value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}
function skillLines(value, at) {
  const out = {};
  lines(value).forEach((l, i) => {
    const m = l.match(/^([a-z][a-z0-9_]*)\s*=\s*(.+)$/);
    if (!m) {
      throw new InputError(
        `input 'skills' line ${i + 1} is '${l}'; expected 'kind=path', e.g. 'py=skills/sample_py.wasm'`
      );
    }
    if (out[m[1]]) {
      throw new InputError(`input 'skills' line ${i + 1} names kind '${m[1]}' a second time`);
    }
    out[m[1]] = at(m[2].trim());
  });
  return out;
}
var BAD_ARTIFACT_CHARS = /["':<>|*?\\/\r\n]/;
function artifactPrefix(value) {
  if (!value || BAD_ARTIFACT_CHARS.test(value)) {
    throw new InputError(
      `input 'artifact-prefix' is '${value}'; expected a non-empty name without " : < > | * ? \\ / or quotes`
    );
  }
  return value;
}

// src/action/main.ts
async function main() {
  try {
    const settings = readSettings();
    if (settings.mode === "run") await (await import("./chunks/run-mode-4WKRBQUH.js")).runMode(settings);
    else await (await import("./chunks/report-mode-63XHIJFL.js")).reportMode(settings);
  } catch (error) {
    if (error instanceof InputError || error instanceof KernelError) {
      setFailed(error.message);
    } else {
      debug(error?.stack ?? String(error));
      setFailed(`kernel-bench failed: ${error?.message ?? String(error)}`);
    }
  }
}
await main();
