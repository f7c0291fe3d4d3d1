package dev.tandem.sample.testing;

import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.InitializationError;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.internal.bytecode.InstrumentationConfiguration;

/**
 * Robolectric, with some packages left to the JVM's own class loader instead of the sandbox's:
 * ONNX Runtime (its native library can be bound to one class loader only, so it loads once per
 * JVM whatever the sandboxes), the test brokers (which start a child JVM from their jar's
 * location, which sandboxed classes do not have), and the cloud relay's collector with its
 * metrics registry (server code the upload test runs beside the app, with its own copy of the
 * runtime, as on a server). Every Robolectric test here uses it, so all share one sandbox.
 */
public final class SampleTestRunner extends RobolectricTestRunner {

  public SampleTestRunner(Class<?> testClass) throws InitializationError {
    super(testClass);
  }

  @Override
  protected InstrumentationConfiguration createClassLoaderConfig(FrameworkMethod method) {
    return new InstrumentationConfiguration.Builder(super.createClassLoaderConfig(method))
        .doNotAcquirePackage("ai.onnxruntime")
        .doNotAcquirePackage("dev.tandem.testsupport")
        .doNotAcquirePackage("dev.tandem.relay")
        .doNotAcquirePackage("io.prometheus")
        .build();
  }
}
