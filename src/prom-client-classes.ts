// prom-client's metric classes, loaded from their own files. Its index also loads the push gateway
// (http, https, zlib), the default process metrics and OpenTelemetry's API (for exemplars): about 17 MiB
// of resident memory in the inference agent, a container of every logged model pod, which needs four
// classes. They are the very classes the index exports (index.js requires these files).
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';

export { Counter, Gauge, Histogram, Registry };
