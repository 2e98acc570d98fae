/**
 * Prometheus metrics of a {@link rx-mconn!Switch}, named as CometBFT's, and an endpoint serving them.
 * Needs `prom-client` (an optional peer dependency: install it beside rx-mconn); the root
 * `rx-mconn` never loads it.
 * @module rx-mconn/metrics
 */
export { switchMetrics, type SwitchMetrics, type SwitchMetricsOptions } from "./switch-metrics.js";
export { serveMetrics, type MetricsServer } from "./serve-metrics.js";
