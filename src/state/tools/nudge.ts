/** Push ("nudge"): a stroke that starts inside the structure grows it, one that starts outside pushes it back. */
import { strokeHandler } from './stroke.ts';
import type { ToolDescriptor } from './tool.ts';

export const nudge: ToolDescriptor = {
  id: 'nudge',
  label: 'Push',
  description: 'Start inside to grow the structure, outside to push it back',
  help: 'Push (nudge) the contour',
  shortcut: 'u',
  cursor: 'none',
  edits: true,
  undoLabel: 'Push',
  settings: ['radius', 'shape'],
  pointer: {
    kind: 'handler',
    create: (context) =>
      strokeHandler(context, {
        undoLabel: 'Push',
        value: (ctx, id, start) => {
          const mask = ctx.session().store.mask(id);
          const [i, j, k] = start.map(Math.round);
          return mask.inBounds(i, j, k) && mask.get(i, j, k);
        },
      }),
  },
};
