import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunk-A5M6KMT6.js";
import "./chunk-6FX6KEXT.js";
import "./chunk-SHADZY5Y.js";
export {
  runEmulator
};
