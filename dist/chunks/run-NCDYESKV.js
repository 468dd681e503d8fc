import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunk-U3W5D5AX.js";
import "./chunk-IJ25MIWQ.js";
import "./chunk-ANZINBH5.js";
export {
  runEmulator
};
