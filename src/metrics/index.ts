/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * Prometheus metrics of a {@link rx-mconn!Switch}, named as CometBFT's, and an endpoint serving them.
 * Needs `prom-client` (an optional peer dependency: install it beside rx-mconn); the root
 * `rx-mconn` never loads it.
 * @module rx-mconn/metrics
 */
export { switchMetrics, type SwitchMetrics, type SwitchMetricsOptions } from "./switch-metrics.js";
export { serveMetrics, type MetricsServer } from "./serve-metrics.js";
