package dev.tandem.relay.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * HTTP endpoint of a relay: Prometheus text on {@code /metrics}, {@code /healthz} (200 while
 * the process serves) and {@code /readyz} (200 once models are loaded and the broker
 * subscription is up, 503 before and while shutting down). Closing stops it; idempotent.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  /**
   * Starts the endpoint on {@code host:port} (port 0 picks a free one).
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public MetricsServer(String host, int port, RelayMetrics metrics, BooleanSupplier healthy, BooleanSupplier ready) {
    this(host, port, metrics.registry(), healthy, ready);
  }

  /** As above, for any registry (the collector's). */
  public MetricsServer(String host, int port, io.prometheus.metrics.model.registry.PrometheusRegistry registry,
      BooleanSupplier healthy, BooleanSupplier ready) {
    try {
      server = HTTPServer.builder()
          .hostname(host)
          .port(port)
          .registry(registry)
          .defaultHandler(exchange -> probe(exchange, healthy, ready))
          .buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the metrics endpoint on " + host + ":" + port, e);
    }
  }

  private static void probe(HttpExchange exchange, BooleanSupplier healthy, BooleanSupplier ready) throws IOException {
    String path = exchange.getRequestURI().getPath();
    int code;
    String body;
    if (path.equals("/healthz")) {
      boolean ok = healthy.getAsBoolean();
      code = ok ? 200 : 503;
      body = ok ? "ok\n" : "failed or stopping\n";
    } else if (path.equals("/readyz")) {
      boolean ok = ready.getAsBoolean();
      code = ok ? 200 : 503;
      body = ok ? "ready\n" : "not ready\n";
    } else {
      code = 404;
      body = "not found; try /metrics, /healthz or /readyz\n";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
