import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunk-OLAIXWAZ.js";
import "./chunk-WLYL4IZA.js";
import "./chunk-ANZINBH5.js";
export {
  runEmulator
};
