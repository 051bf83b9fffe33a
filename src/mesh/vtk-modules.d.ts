// Typed adapters for the vtk.js modules src/mesh uses that ship no .d.ts (TOOLCHAIN.md, "vtk.js 37"): only
// the members Delineo calls are declared, so a vtk.js upgrade that changes them fails the type-check here.

declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes/caseTable.js' {
  /**
   * vtk.js's marching-cubes case table: `getCase(index)` lists the edges of each triangle (three per
   * triangle, −1 terminated, 16 entries) for the 8-bit case index in Lorensen vertex order; `getEdge(edge)`
   * gives the two cube corners of an edge in raster order (bit 0 = +i, bit 1 = +j, bit 2 = +k).
   */
  const caseTable: {
    getCase(index: number): readonly number[];
    getEdge(edge: number): readonly [number, number];
  };
  export default caseTable;
}

// vtk.js's own filters, used by the tests as reference implementations (oracles) of marching cubes and
// windowed-sinc smoothing.
declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes.js' {
  import type vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
  import type vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
  interface vtkImageMarchingCubes {
    setInputData(image: vtkImageData): void;
    getOutputData(): vtkPolyData;
    delete(): void;
  }
  const factory: {
    newInstance(initial?: {
      contourValue?: number;
      computeNormals?: boolean;
      mergePoints?: boolean;
    }): vtkImageMarchingCubes;
  };
  export default factory;
}

declare module '@kitware/vtk.js/Filters/General/WindowedSincPolyDataFilter.js' {
  import type vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
  interface vtkWindowedSincPolyDataFilter {
    setInputData(polyData: vtkPolyData): void;
    getOutputData(): vtkPolyData;
    delete(): void;
  }
  const factory: {
    newInstance(initial?: {
      numberOfIterations?: number;
      passBand?: number;
      featureEdgeSmoothing?: number;
      boundarySmoothing?: number;
      nonManifoldSmoothing?: number;
      normalizeCoordinates?: number;
    }): vtkWindowedSincPolyDataFilter;
  };
  export default factory;
}
