/**
 * Region grow: a click sets the seed and shows the grown region as a preview (tolerance, radius and 2D/3D
 * from the settings); Enter adds it to the selected structure as one undo step, Escape discards it.
 */
import type { Vec3 } from '../../domain/geometry.ts';
import type { ToolContext, ToolDescriptor, ToolHandler } from './tool.ts';

const LABEL = 'Region grow';

export const regionGrowTool: ToolDescriptor = {
  id: 'region-grow',
  label: 'Grow',
  description: 'Click a seed; Enter adds the preview, Escape discards it',
  help: 'Region grow',
  shortcut: 'g',
  cursor: 'crosshair',
  edits: true,
  undoLabel: LABEL,
  settings: ['region-grow'],
  pointer: { kind: 'handler', create: regionGrowHandler },
};

function regionGrowHandler(context: ToolContext): ToolHandler {
  return {
    down(p) {
      const session = context.session();
      const seed = p.index.map(Math.round) as unknown as Vec3;
      const [nx, ny, nz] = session.volume.dimensions;
      if (seed[0] < 0 || seed[1] < 0 || seed[2] < 0 || seed[0] >= nx || seed[1] >= ny || seed[2] >= nz) return false;
      try {
        session.startRegionGrow(seed, context.plane());
      } catch (e) {
        context.refuse(e);
      }
      return false;
    },
    cancel: () => false,
    key(key) {
      const session = context.session();
      const preview = session.preview;
      if (!preview) return false;
      if (key === 'Escape') session.cancelPreview();
      else if (key === 'Enter') {
        try {
          if (session.commitPreview(LABEL)) context.committed(preview.structureId, LABEL, preview.plane);
        } catch (e) {
          context.refuse(e);
        }
      } else return false;
      return true;
    },
  };
}
