package dev.tandem.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.agent.input.InputSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's local HTTP endpoint (JDK HTTP server), for other processes on the board:
 *
 * <ul>
 *   <li>{@code POST /infer}: body one request JSON, answer the output JSON (200; 400 with an
 *       {@code error} for a bad request; 413 when over the size limit);
 *   <li>{@code GET /healthz}: 200 {@code ok} while all works, 200 {@code degraded: ...} while
 *       answering with a part not working (the spool cannot write), 503 when failed or stopping;
 *   <li>{@code GET /metrics}: Prometheus text format.
 * </ul>
 *
 * Binds loopback by default: the endpoint has no authentication. Handles requests on a small
 * pool; {@link #close()} stops it.
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentHttpServer.class);
  private final HttpServer server;
  private final ExecutorService pool;

  /**
   * Starts serving.
   *
   * @param port 0 for any free port
   * @param health returns null when healthy, else the reason (answered with 503)
   * @throws IOException when the port cannot be bound
   */
  public AgentHttpServer(String bind, int port, InputSink sink, AgentMetrics metrics,
      Supplier<String> health, int threads) throws IOException {
    this(bind, port, sink, metrics, health, threads, e -> {
      throw e;
    });
  }

  /**
   * As above. A request that fails unexpectedly is answered 500 with the error (never a dropped
   * connection); an {@link Error} is also passed to {@code onFatal}.
   *
   * @param health returns null when healthy, "degraded: ..." (answered 200) or another reason
   *     (answered 503)
   */
  public AgentHttpServer(String bind, int port, InputSink sink, AgentMetrics metrics,
      Supplier<String> health, int threads, java.util.function.Consumer<Error> onFatal) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "agent-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/infer", ex -> {
      try {
        if (!ex.getRequestMethod().equals("POST")) {
          send(ex, 405, "{\"error\":\"use POST\"}", "application/json");
          return;
        }
        byte[] body = readLimited(ex.getRequestBody(), dev.tandem.agent.input.InferRequest.MAX_BYTES);
        if (body == null) {
          send(ex, 413, "{\"error\":\"request too large\"}", "application/json");
          return;
        }
        String answer = sink.submit(new String(body, StandardCharsets.UTF_8), "http");
        int status = answer.startsWith("{\"error\"") ? 400 : 200;
        send(ex, status, answer, "application/json");
      } catch (RuntimeException e) {
        log.error("POST /infer failed", e);
        trySend(ex, 500, "{\"error\":\"internal error: " + jsonEscape(String.valueOf(e)) + "\"}");
      } catch (Error e) {
        trySend(ex, 500, "{\"error\":\"internal error\"}");
        onFatal.accept(e);
      } finally {
        ex.close();
      }
    });
    server.createContext("/healthz", ex -> {
      try {
        String problem = health.get();
        int status = problem == null || problem.startsWith("degraded") ? 200 : 503;
        send(ex, status, problem == null ? "ok\n" : problem + "\n", "text/plain");
      } finally {
        ex.close();
      }
    });
    server.createContext("/metrics", ex -> {
      try {
        send(ex, 200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
      } finally {
        ex.close();
      }
    });
    server.start();
  }

  private static void trySend(HttpExchange ex, int status, String body) {
    try {
      send(ex, status, body, "application/json");
    } catch (IOException | RuntimeException ignored) {
      // headers already sent, or the client is gone
    }
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static byte[] readLimited(InputStream in, int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
      if (out.size() > max) {
        return null;
      }
    }
    return out.toByteArray();
  }

  private static void send(HttpExchange ex, int status, String body, String type) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
