// Worker entry of the load bench: the app's io worker, bundled on its own by esbuild.
import '../../src/io/io.worker.ts';
