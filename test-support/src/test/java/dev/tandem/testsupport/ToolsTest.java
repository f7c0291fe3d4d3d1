package dev.tandem.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class ToolsTest {
  private static final String[] PROPERTIES = {Tools.REQUIRE_PROPERTY, Tools.ABSENT_PROPERTY, "tandem.tool.npm"};
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
      System.clearProperty(p);
    }
  }

  @AfterEach
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  @Test
  void missingTool_skipsWithTheToolAndHowToInstallIt() {
    System.setProperty(Tools.ABSENT_PROPERTY, "mosquitto,npm");
    assertThatThrownBy(() -> Tools.require("mosquitto"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("mosquitto is not installed")
        .hasMessageContaining("apt-get install mosquitto");
    assertThat(Tools.find("npm")).isEmpty();
  }

  @Test
  void missingTool_namedInRequire_failsWithHowToInstallIt() {
    System.setProperty(Tools.ABSENT_PROPERTY, "chromium");
    System.setProperty(Tools.REQUIRE_PROPERTY, "mosquitto, chromium");
    assertThatThrownBy(() -> Tools.require("chromium"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("chromium is required (-Dtandem.require=mosquitto, chromium)")
        .hasMessageContaining("apt-get install chromium");
    assertThat(Tools.isRequired("mosquitto")).isTrue();
    assertThat(Tools.isRequired("npm")).isFalse();
  }

  @Test
  void toolProperty_pointsAtTheExecutable(@TempDir Path dir) throws IOException {
    Path npm = Files.createFile(dir.resolve("my-npm"));
    assertThat(npm.toFile().setExecutable(true)).isTrue();
    System.setProperty("tandem.tool.npm", npm.toString());
    assertThat(Tools.require("npm")).isEqualTo(npm);

    System.setProperty("tandem.tool.npm", dir.resolve("nothing-here").toString());
    assertThatThrownBy(() -> Tools.require("npm"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("-Dtandem.tool.npm=" + dir.resolve("nothing-here") + " is not an executable file");
  }

  @Test
  void unknownTool_isAnError() {
    assertThatThrownBy(() -> Tools.require("mosquito"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("known: mosquitto, npm, chromium");
    System.setProperty(Tools.REQUIRE_PROPERTY, "mosquito");
    System.setProperty(Tools.ABSENT_PROPERTY, "npm");
    assertThatThrownBy(() -> Tools.require("npm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dtandem.require names an unknown tool 'mosquito'");
  }
}
