/**
 * Every tool of the slice views, in toolbar order. A tool is one file in this folder (its `ToolDescriptor`)
 * and one line here; nothing else names it.
 */
import { brush } from './brush.ts';
import { eraser } from './eraser.ts';
import { fillHole } from './fill-hole.ts';
import { freehand } from './freehand.ts';
import { huBrush } from './hu-brush.ts';
import { navigate } from './navigate.ts';
import { nudge } from './nudge.ts';
import { polygon } from './polygon.ts';
import { regionGrowTool } from './region-grow.ts';
import type { ToolName } from '../viewer-session.ts';
import type { ToolDescriptor } from './tool.ts';
import { windowLevel } from './window-level.ts';

export const TOOLS: readonly ToolDescriptor[] = [navigate, windowLevel, brush, eraser, huBrush, nudge, polygon, freehand, fillHole, regionGrowTool];

/** The tool with this id in `tools`, or undefined. */
export function toolById(id: ToolName, tools: readonly ToolDescriptor[] = TOOLS): ToolDescriptor | undefined {
  return tools.find((t) => t.id === id);
}

/** The tool a single key picks (case-insensitive), or undefined. */
export function toolForShortcut(key: string, tools: readonly ToolDescriptor[] = TOOLS): ToolDescriptor | undefined {
  const k = key.toLowerCase();
  return tools.find((t) => t.shortcut === k);
}
