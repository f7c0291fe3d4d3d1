package dev.tandem.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.opentest4j.TestAbortedException;

/**
 * Optional external tools that some tests need: {@code mosquitto}, {@code npm} and
 * {@code chromium}.
 *
 * <pre>{@code
 * Path mosquitto = Tools.require("mosquitto");   // skips the test when it is missing
 * }</pre>
 *
 * <p>A missing tool skips the test (a JUnit assumption failure whose reason names the tool and
 * how to install it; the skip is listed in {@code target/skipped-tests.txt} and printed at the
 * end of the module's tests). When the system property {@code tandem.require} (a comma list,
 * passed from the Maven property of the same name, e.g.
 * {@code -Dtandem.require=mosquitto,npm,chromium}) names the tool, a missing tool fails the test
 * instead.
 *
 * <p>Lookup: the system property {@code tandem.tool.<name>} (a path to the executable) if set;
 * otherwise each of the tool's executable names in the {@code PATH} directories, then in the
 * usual {@code sbin} directories (Debian installs {@code mosquitto} in {@code /usr/sbin}, which
 * is not on every user's {@code PATH}). Tools named in the system property
 * {@code tandem.tools.absent} (comma list) count as missing even when installed, to try the
 * build as a machine without them would run it.
 */
public final class Tools {
  /** The system property (and Maven property) naming the tools whose absence is a failure. */
  public static final String REQUIRE_PROPERTY = "tandem.require";
  /** The system property naming tools to treat as missing. */
  public static final String ABSENT_PROPERTY = "tandem.tools.absent";

  private static final List<String> SBIN = Arrays.asList("/usr/local/sbin", "/usr/sbin", "/sbin", "/opt/homebrew/sbin");
  private static final Map<String, Tool> KNOWN = new LinkedHashMap<>();

  static {
    add(new Tool("mosquitto", Arrays.asList("mosquitto"),
        "tests of Mosquitto itself and of its configuration in docs/mosquitto (TLS, client certificates, ACLs)",
        "Debian/Ubuntu: sudo apt-get install mosquitto; macOS: brew install mosquitto"));
    add(new Tool("npm", Arrays.asList("npm"),
        "tests that fetch the workload corpus with npm",
        "Debian/Ubuntu: sudo apt-get install npm; macOS: brew install node; or Node.js from https://nodejs.org"));
    add(new Tool("chromium", Arrays.asList("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        "tests that render reports in a headless browser",
        "Debian: sudo apt-get install chromium; Ubuntu: sudo snap install chromium; macOS: brew install --cask chromium"));
  }

  private Tools() {}

  private static void add(Tool tool) {
    KNOWN.put(tool.name, tool);
  }

  /** The tools this class knows: {@code mosquitto}, {@code npm}, {@code chromium}. */
  public static Set<String> known() {
    return Collections.unmodifiableSet(KNOWN.keySet());
  }

  /**
   * The tool's executable, for a test that cannot run without it.
   *
   * @param name {@code mosquitto}, {@code npm} or {@code chromium}
   * @return the path of the executable
   * @throws TestAbortedException when the tool is missing (the test is skipped with the reason)
   * @throws AssertionError when the tool is missing and {@code tandem.require} names it
   * @throws IllegalArgumentException for a tool name this class does not know, here or in
   *     {@code tandem.require}
   */
  public static Path require(String name) {
    Tool tool = tool(name);
    Optional<Path> found = find(name);
    if (found.isPresent()) {
      return found.get();
    }
    if (required().contains(tool.name)) {
      throw new AssertionError(tool.name + " is required (-D" + REQUIRE_PROPERTY + "=" + System.getProperty(REQUIRE_PROPERTY)
          + ") but " + whyMissing(tool) + "; install it (" + tool.install + ")"
          + " or leave it out of -D" + REQUIRE_PROPERTY + " to skip " + tool.neededBy + " without it.");
    }
    throw new TestAbortedException(tool.name + " is not installed (" + whyMissing(tool) + "), needed by " + tool.neededBy
        + ". To run this test: " + tool.install + ".");
  }

  /**
   * The tool's executable if present, for tests that use it when they can and do something else
   * otherwise; never skips or fails. Honours {@code tandem.tools.absent} and
   * {@code tandem.tool.<name>} like {@link #require}.
   */
  public static Optional<Path> find(String name) {
    Tool tool = tool(name);
    if (absent().contains(tool.name)) {
      return Optional.empty();
    }
    String explicit = System.getProperty("tandem.tool." + tool.name, "").trim();
    if (!explicit.isEmpty()) {
      Path p = Paths.get(explicit);
      return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }
    for (String dir : searchPath()) {
      for (String exe : tool.executables) {
        Path p = Paths.get(dir, exe);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether {@code tandem.require} names this tool (its absence fails instead of skipping). */
  public static boolean isRequired(String name) {
    return required().contains(tool(name).name);
  }

  private static String whyMissing(Tool tool) {
    if (absent().contains(tool.name)) {
      return "-D" + ABSENT_PROPERTY + " names it";
    }
    String explicit = System.getProperty("tandem.tool." + tool.name, "").trim();
    if (!explicit.isEmpty()) {
      return "-Dtandem.tool." + tool.name + "=" + explicit + " is not an executable file";
    }
    return "no " + String.join(" or ", tool.executables) + " on the PATH or in " + String.join(", ", SBIN);
  }

  private static List<String> searchPath() {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(d);
        }
      }
    }
    dirs.addAll(SBIN);
    return new ArrayList<>(dirs);
  }

  private static Tool tool(String name) {
    Tool tool = KNOWN.get(name == null ? "" : name.trim().toLowerCase(Locale.ROOT));
    if (tool == null) {
      throw new IllegalArgumentException("unknown tool '" + name + "'; known: " + String.join(", ", KNOWN.keySet()));
    }
    return tool;
  }

  private static Set<String> required() {
    Set<String> names = list(REQUIRE_PROPERTY);
    for (String n : names) {
      if (!KNOWN.containsKey(n)) {
        throw new IllegalArgumentException("-D" + REQUIRE_PROPERTY + " names an unknown tool '" + n + "'; known: "
            + String.join(", ", KNOWN.keySet()));
      }
    }
    return names;
  }

  private static Set<String> absent() {
    return list(ABSENT_PROPERTY);
  }

  private static Set<String> list(String property) {
    Set<String> names = new LinkedHashSet<>();
    for (String s : System.getProperty(property, "").split(",")) {
      String n = s.trim().toLowerCase(Locale.ROOT);
      if (!n.isEmpty()) {
        names.add(n);
      }
    }
    return names;
  }

  private static final class Tool {
    final String name;
    final List<String> executables;
    final String neededBy;
    final String install;

    Tool(String name, List<String> executables, String neededBy, String install) {
      this.name = name;
      this.executables = executables;
      this.neededBy = neededBy;
      this.install = install;
    }
  }
}
