package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime's public surface: the public top-level and public nested types outside
 * {@code dev.tandem.runtime.internal} (which is not API and not in the Javadoc). docs/api.md
 * reports the count; run {@code main} to print the list.
 */
class PublicApiTest {
  /**
   * The public types outside internal today (docs/api.md): a ceiling, so that a new public type is
   * a decision (raise this and list the type in docs/api.md), not an accident. #13 aimed at 43,
   * half of the 87 it counted; docs/api.md says why that is not reached.
   */
  static final int MAX_PUBLIC_TYPES = 65;

  /** Every public type a caller can name, by package, internal ones apart. */
  static TreeMap<String, List<String>> publicTypes(boolean internal) throws Exception {
    Path classes = Paths.get(Tandem.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names;
    try (Stream<Path> files = Files.walk(classes)) {
      names = files.map(p -> classes.relativize(p).toString())
          .filter(n -> n.endsWith(".class") && !n.endsWith("package-info.class") && !n.endsWith("module-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
          .collect(Collectors.toList());
    }
    TreeMap<String, List<String>> out = new TreeMap<>();
    for (String n : names) {
      Class<?> c = Class.forName(n, false, PublicApiTest.class.getClassLoader());
      if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic() || !nameable(c)) {
        continue;
      }
      boolean inInternal = c.getPackageName().startsWith("dev.tandem.runtime.internal");
      if (inInternal == internal) {
        out.computeIfAbsent(c.getPackageName(), k -> new java.util.ArrayList<>())
            .add(c.getName().substring(c.getPackageName().length() + 1).replace('$', '.'));
      }
    }
    out.values().forEach(java.util.Collections::sort);
    return out;
  }

  /** Public, and every class around it public too. */
  private static boolean nameable(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  static int count(TreeMap<String, List<String>> types) {
    return types.values().stream().mapToInt(List::size).sum();
  }

  @Test
  void publicSurface_doesNotGrow() throws Exception {
    main(new String[0]);
    TreeMap<String, List<String>> api = publicTypes(false);
    assertThat(count(api)).as("public types outside internal: " + api).isLessThanOrEqualTo(MAX_PUBLIC_TYPES);
  }

  /** Prints the public types, API and internal, with counts (docs/api.md). */
  public static void main(String[] args) throws Exception {
    for (boolean internal : new boolean[] {false, true}) {
      TreeMap<String, List<String>> t = publicTypes(internal);
      System.out.println((internal ? "internal (not API)" : "API") + ": " + count(t) + " public types");
      t.forEach((pkg, types) -> System.out.println("  " + pkg + " (" + types.size() + "): " + String.join(", ", types)));
    }
  }
}
