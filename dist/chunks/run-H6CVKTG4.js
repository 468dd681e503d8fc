import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunk-6JSMGHYK.js";
import "./chunk-B5K4NRZB.js";
import "./chunk-SHADZY5Y.js";
export {
  runEmulator
};
