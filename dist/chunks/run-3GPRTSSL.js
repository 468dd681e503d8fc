import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunk-3R2T3OUJ.js";
import "./chunk-RAIGRZ3J.js";
import "./chunk-SHADZY5Y.js";
export {
  runEmulator
};
