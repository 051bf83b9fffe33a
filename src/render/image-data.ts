import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import type { Volume } from '../domain/volume.ts';

/** A Volume's vtkImageData together with the vtk.js objects it owns; `dispose()` deletes them all. */
export interface VtkVolumeImage {
  readonly volume: Volume;
  readonly imageData: vtkImageData;
  dispose(): void;
}

/**
 * Wraps a Volume as a vtkImageData in patient coordinates (LPS, mm): dimensions, spacing, origin and the
 * column-major direction copy straight across because Delineo's ImageGeometry uses vtk.js's own layout.
 * The voxel array is shared, not copied: a CT is hundreds of megabytes and vtk.js only reads it to fill
 * its texture, so the caller must not mutate `volume.data` while the image is in use. vtk.js's `delete()`
 * is not reference counted (it empties the object), which is why the scalars are deleted here, last,
 * rather than handed to the image.
 */
export function volumeToImageData(volume: Volume): VtkVolumeImage {
  const imageData = vtkImageData.newInstance();
  imageData.setDimensions([...volume.dimensions]);
  imageData.setSpacing([...volume.spacing]);
  imageData.setOrigin([...volume.origin]);
  imageData.setDirection([...volume.direction]);
  const scalars = vtkDataArray.newInstance({ name: 'voxels', numberOfComponents: 1, values: volume.data });
  imageData.getPointData().setScalars(scalars);
  let disposed = false;
  return {
    volume,
    imageData,
    dispose() {
      if (disposed) return;
      disposed = true;
      imageData.delete();
      scalars.delete();
    },
  };
}
